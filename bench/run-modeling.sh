#!/usr/bin/env bash
# Modeling engine benchmark (never part of the tests): parse + compile of a generated project (default 2,000 models
# and 5,000 tests), the per-model overhead of `dbt run` on DuckDB against DuckDB's own DDL, and jaffle_shop's
# `dbt build` end to end as a process when a copy of dbt-labs/jaffle_shop is on the machine.
# Usage: bench/run-modeling.sh [MODELS] [TESTS] [RUN_MODELS]   (jaffle_shop: MILLWRIGHT_JAFFLE_SHOP or the local mirror)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/Millwright.Cli --nologo -v quiet >/dev/null
dotnet build -c Release bench/Millwright.Bench.Modeling --nologo -v quiet >/dev/null
jaffle=""
work="$(mktemp -d -t mw-bench-modeling.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/jaffle"
if [ -n "${MILLWRIGHT_JAFFLE_SHOP:-}" ] && [ -f "$MILLWRIGHT_JAFFLE_SHOP/dbt_project.yml" ]; then
  cp -r "$MILLWRIGHT_JAFFLE_SHOP/." "$work/jaffle/" && jaffle="$work/jaffle"
elif [ -d /work/.mirror/dbt-labs+jaffle_shop/repo ]; then
  git --git-dir=/work/.mirror/dbt-labs+jaffle_shop/repo archive HEAD | tar -x -C "$work/jaffle" && jaffle="$work/jaffle"
fi
# The tool as a deployment would ship it: published with ReadyToRun code, so start-up does not wait for the JIT.
dotnet publish src/Millwright.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/r2r" --nologo -v quiet >/dev/null
dotnet bench/Millwright.Bench.Modeling/bin/Release/net10.0/Millwright.Bench.Modeling.dll "${1:-2000}" "${2:-5000}" "${3:-500}" \
  "$PWD/src/Millwright.Cli/bin/Release/net10.0/Millwright.Cli.dll" "$jaffle" "$work/r2r/Millwright.Cli"
