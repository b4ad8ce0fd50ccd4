#!/usr/bin/env bash
# Operations API benchmark: a mixed workshop workload (create order, assign, schedule, start, consume part, pause,
# resume, finish, diagnose, complete, invoice, issue, close) against `millwright up` over loopback, first with the
# embedded SQLite store, then with a throwaway PostgreSQL 15 cluster; after each, a list page of 50 orders read one
# request at a time. Beside them, in the same run and on the same cluster, pgbench's TPC-B with the same number of
# clients: PostgreSQL's own floor for small write transactions on this machine. Never part of the tests.
# Usage: bench/run-ops.sh [CLIENTS] [ORDERS_PER_CLIENT] [PGBENCH_SECONDS]   (default 8 clients x 100 orders, 20 s)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf "[%s] %s\n" "$(basename "$0")" "$*" >&2; }
source scripts/throwaway-postgres.sh
clients="${1:-8}"
orders="${2:-100}"
seconds="${3:-20}"
dotnet build -c Release src/Millwright.Cli --nologo -v quiet >/dev/null
dotnet build -c Release bench/Millwright.Bench.Ops --nologo -v quiet >/dev/null
cli="src/Millwright.Cli/bin/Release/net10.0/Millwright.Cli.dll"
bench="bench/Millwright.Bench.Ops/bin/Release/net10.0/Millwright.Bench.Ops.dll"
out="$pg_dir/bench"   # removed with the throwaway cluster
mkdir -p "$out"
dotnet "$bench" "$cli" "$clients" "$orders" | tee "$out/sqlite"
# The throwaway cluster is new for this run, so its postgres database is empty.
dotnet "$bench" "$cli" "$clients" "$orders" --set operations.provider=postgres --set "operations.connection=${MILLWRIGHT_TEST_PG}" | tee "$out/postgres"

# pgbench TPC-B (scale = clients, so clients rarely wait on one branch row) in its own database of the same cluster.
port="$(sed -n 's/.*Port=\([0-9]*\);.*/\1/p' <<<"$MILLWRIGHT_TEST_PG")"
pgb() { run_pg "$MILLWRIGHT_TEST_PG_BIN/$1" -h 127.0.0.1 -p "$port" -U postgres "${@:2}"; }
pgb createdb pgbench
pgb pgbench -i -q -s "$clients" pgbench >/dev/null 2>&1
pgb pgbench -c "$clients" -j 2 -T "$seconds" -n pgbench > "$out/pgbench" 2>&1
tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out/pgbench")"
latency="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out/pgbench")"
ops() { awk -F'|' -v s="$1" '$2 ~ " "s" " && $6 ~ /[0-9]/ { gsub(/[ ,]/, "", $6); print $6; exit }' "$out/$1"; }
echo
echo "| workload | clients | transactions or operations/s | ratio to pgbench TPC-B |"
echo "|---|---:|---:|---:|"
printf "| pgbench TPC-B (5 statements a transaction, %s s) | %s | %.0f (latency avg %s ms) | 1.00x |\n" "$seconds" "$clients" "$tps" "$latency"
for store in postgres sqlite; do
  printf "| Millwright mixed workload, %s store (one HTTP request a transaction) | %s | %s | %.2fx |\n" "$store" "$clients" "$(ops "$store")" "$(awk -v a="$(ops "$store")" -v b="$tps" 'BEGIN { print a / b }')"
done
echo "rerun: bench/run-ops.sh $clients $orders $seconds"
