#!/usr/bin/env bash
# Simulator benchmark (never part of the tests): a year of a 500-vehicle fleet with its workshop written through the
# operational use cases into SQLite and reconciled (the target: under a minute), the whole business (plant and shop
# too), and SQLite's own prepared-insert rate for the same number of rows.
# Usage: bench/run-simulation.sh [SCALE] [DAYS]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release bench/Millwright.Bench.Simulation --nologo -v quiet >/dev/null
dotnet bench/Millwright.Bench.Simulation/bin/Release/net10.0/Millwright.Bench.Simulation.dll "${1:-1}" "${2:-365}"
