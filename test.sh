#!/usr/bin/env bash
# Runs every test of the solution against real engines: builds, starts a throwaway PostgreSQL 15 cluster on
# 127.0.0.1 (never the system cluster), makes sure Debian's chromium is there for the browser tests, runs
# `dotnet test`, and stops the cluster on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf "[%s] %s\n" "$(basename "$0")" "$*" >&2; }

source scripts/throwaway-postgres.sh
source scripts/ensure-chromium.sh

log "building"
dotnet build Millwright.slnx -c Debug -warnaserror --nologo -v quiet

log "testing"
results="$(mktemp -d -t millwright-results.XXXXXX)"
set +e
dotnet test --solution Millwright.slnx --no-build -c Debug --results-directory "$results" --report-xunit-trx "$@"
status=$?
set -e

# One plain closing line over every test project: 'N passed, N failed, N skipped'.
python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(f).getroot().find(".//{*}Counters")
    if c is None: continue
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
rm -rf "$results"
exit $status
