#!/usr/bin/env bash
# Runs every test of the solution against real engines: builds, starts a throwaway PostgreSQL 15 cluster and two
# throwaway ClickHouse servers (one cluster of two shards) on 127.0.0.1 (never a system server), makes sure Debian's
# chromium is there for the browser tests, runs `dotnet test`, and stops the servers on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf "[%s] %s\n" "$(basename "$0")" "$*" >&2; }

source scripts/throwaway-postgres.sh
source scripts/throwaway-clickhouse.sh
source scripts/ensure-chromium.sh
source scripts/ensure-prometheus.sh

log "building"
dotnet build Millwright.slnx -c Debug -warnaserror --nologo -v quiet

log "testing"
results="$(mktemp -d -t millwright-results.XXXXXX)"
set +e
dotnet test --solution Millwright.slnx --no-build -c Debug --results-directory "$results" "$@" 2>&1 | tee "$results/output.txt"
status=${PIPESTATUS[0]}
set -e

# One plain closing line over every test project, from dotnet test's own totals: 'N passed, N failed, N skipped'.
awk '/^  total:/ {t=$2} /^  failed:/ {f=$2} /^  succeeded:/ {p=$2} /^  skipped:/ {s=$2}
     END { if (t != "") printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$results/output.txt" || true
rm -rf "$results"
exit $status
