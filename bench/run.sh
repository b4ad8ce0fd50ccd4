#!/usr/bin/env bash
# Runs the bulk-load benchmark in Release against DuckDB and a throwaway PostgreSQL 15 cluster.
# Usage: bench/run.sh [ROWS]   (default 10,000,000). Never part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf "[%s] %s\n" "$(basename "$0")" "$*" >&2; }
source scripts/throwaway-postgres.sh
# The server reads the CSV itself for the native COPY FROM file path.
chmod o+rx bench/out 2>/dev/null || true
dotnet run -c Release --project bench/Millwright.Bench.Load -- "$@"
