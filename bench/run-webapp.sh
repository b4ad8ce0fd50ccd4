#!/usr/bin/env bash
# Web app benchmark (never part of the tests): the board, an order page and a status filter in Debian's chromium,
# interactive after navigation, on the demo data and with the operational store grown to ORDERS service orders.
# Usage: bench/run-webapp.sh [ORDERS]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/Millwright.Cli --nologo -v quiet >/dev/null
dotnet build -c Release bench/Millwright.Bench.WebApp --nologo -v quiet >/dev/null
dotnet bench/Millwright.Bench.WebApp/bin/Release/net10.0/Millwright.Bench.WebApp.dll src/Millwright.Cli/bin/Release/net10.0/Millwright.Cli.dll "${1:-100000}"
