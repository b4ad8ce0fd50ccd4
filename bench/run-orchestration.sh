#!/usr/bin/env bash
# Orchestrator benchmark (never part of the tests): definition loading of 2,000 assets, one run of 1,000 trivial
# assets (start-up and per-asset overhead) and backfill submission, on SQLite and on a throwaway PostgreSQL 15.
# Usage: bench/run-orchestration.sh [ASSETS_IN_RUN] [ASSETS_DEFINED] [BACKFILL_PARTITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf "[%s] %s\n" "$(basename "$0")" "$*" >&2; }
source scripts/throwaway-postgres.sh
dotnet build -c Release bench/Millwright.Bench.Orchestration --nologo -v quiet >/dev/null
dotnet bench/Millwright.Bench.Orchestration/bin/Release/net10.0/Millwright.Bench.Orchestration.dll "${1:-1000}" "${2:-2000}" "${3:-3000}"
