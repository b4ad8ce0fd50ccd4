#!/usr/bin/env bash
# Dashboards benchmark (never part of the tests): a simulated year of 500 vehicles built by `millwright up`, then every
# shipped card through the API cold and warm, and each dashboard drawn in Debian's chromium.
# Usage: bench/run-dashboards.sh [SCALE] [DAYS]   (default 1 365)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/Millwright.Cli --nologo -v quiet >/dev/null
dotnet build -c Release bench/Millwright.Bench.Dashboards --nologo -v quiet >/dev/null
dotnet bench/Millwright.Bench.Dashboards/bin/Release/net10.0/Millwright.Bench.Dashboards.dll src/Millwright.Cli/bin/Release/net10.0/Millwright.Cli.dll "${1:-1}" "${2:-365}"
