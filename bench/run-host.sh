#!/usr/bin/env bash
# One owner per workspace (never part of the tests): a trivial warehouse query sent to a running `millwright up`
# through the CLI's relay against the same query on a DuckDB instance held open in process.
# Usage: bench/run-host.sh [REQUESTS]   (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/Millwright.Cli --nologo -v quiet >/dev/null
dotnet build -c Release bench/Millwright.Bench.Host --nologo -v quiet >/dev/null
dotnet bench/Millwright.Bench.Host/bin/Release/net10.0/Millwright.Bench.Host.dll src/Millwright.Cli/bin/Release/net10.0/Millwright.Cli.dll "${1:-500}"
