#!/usr/bin/env bash
# Ingestion benchmark (never part of the tests): a 10M-row telemetry CSV under a contract against DuckDB's plain
# read_csv of the same file, a stream load over loopback, and incremental extraction of 1M changed rows from a
# throwaway PostgreSQL 15 into DuckDB.
# Usage: bench/run-ingestion.sh [CSV_ROWS] [STREAM_ROWS] [EXTRACT_ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf "[%s] %s\n" "$(basename "$0")" "$*" >&2; }
source scripts/throwaway-postgres.sh
dotnet build -c Release bench/Millwright.Bench.Ingestion --nologo -v quiet >/dev/null
dotnet bench/Millwright.Bench.Ingestion/bin/Release/net10.0/Millwright.Bench.Ingestion.dll "${1:-10000000}" "${2:-2000000}" "${3:-1000000}"
