#!/usr/bin/env bash
# Operations API benchmark: a mixed workshop workload (create order, assign, schedule, start, consume part, pause,
# resume, finish, diagnose, complete, invoice, issue, close) against `millwright up` over loopback, first with the
# embedded SQLite store, then with a throwaway PostgreSQL 15 cluster. Never part of the tests.
# Usage: bench/run-ops.sh [CLIENTS] [ORDERS_PER_CLIENT]   (default 8 clients x 100 orders)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf "[%s] %s\n" "$(basename "$0")" "$*" >&2; }
source scripts/throwaway-postgres.sh
clients="${1:-8}"
orders="${2:-100}"
dotnet build -c Release src/Millwright.Cli --nologo -v quiet >/dev/null
dotnet build -c Release bench/Millwright.Bench.Ops --nologo -v quiet >/dev/null
cli="src/Millwright.Cli/bin/Release/net10.0/Millwright.Cli.dll"
bench="bench/Millwright.Bench.Ops/bin/Release/net10.0/Millwright.Bench.Ops.dll"
dotnet "$bench" "$cli" "$clients" "$orders"
# The throwaway cluster is new for this run, so its postgres database is empty.
dotnet "$bench" "$cli" "$clients" "$orders" --set operations.provider=postgres --set "operations.connection=${MILLWRIGHT_TEST_PG}"
