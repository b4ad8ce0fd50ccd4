#!/usr/bin/env bash
# Machine-learning evaluation (never part of the tests): every shipped model measured by `millwright ml evaluate`
# against its targets and references (bench/ML-RESULTS.md), on a fresh workspace with the public data sets
# (../shared/datasets or MILLWRIGHT_DATASETS) and a simulated year of a 150-vehicle fleet for the fleet model.
# Usage: bench/run-ml.sh [SCALE] [DAYS]   (default 0.3 365; the fleet history the fleet model is measured on)
set -euo pipefail
cd "$(dirname "$0")/.."
export MILLWRIGHT_DATASETS="${MILLWRIGHT_DATASETS:-$(cd .. && pwd)/shared/datasets}"
dotnet build -c Release src/Millwright.Cli --nologo -v quiet >/dev/null
mw() { dotnet src/Millwright.Cli/bin/Release/net10.0/Millwright.Cli.dll "$@"; }
ws=$(mktemp -d /tmp/mw-ml-bench-XXXXXX)
trap 'rm -rf "$ws"' EXIT
mw init "$ws/w" >/dev/null
[ -d "$ws/w/pipelines/quality" ] || mw new pipeline quality --template quality -w "$ws/w" >/dev/null
echo "# simulating ${2:-365} days of the fleet at scale ${1:-0.3} (seed 42)"
mw simulate -w "$ws/w" --scale "${1:-0.3}" --days "${2:-365}" --seed 42 --only fleet | tail -1
echo "# building the features (data sets, extraction, dbt)"
mw assets materialize -w "$ws/w" -s '+ml_fleet_features +ml_cmapss_features +stg_ai4i +stg_secom' | tail -1
echo "# evaluating"
time mw ml evaluate -w "$ws/w"
echo "# rerun: bench/run-ml.sh ${1:-0.3} ${2:-365}   (machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo))"
