#!/usr/bin/env bash
# Pipelines benchmark (never part of the tests): a simulated year of 500 vehicles, their workshops, the plant and the
# shop through every shipped pipeline, full and after one more day, beside DuckDB alone running the same compiled SQL.
# Usage: bench/run-pipelines.sh [SCALE] [DAYS]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release bench/Millwright.Bench.Pipelines --nologo -v quiet >/dev/null
dotnet bench/Millwright.Bench.Pipelines/bin/Release/net10.0/Millwright.Bench.Pipelines.dll "${1:-1}" "${2:-365}"
