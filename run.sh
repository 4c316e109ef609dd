#!/usr/bin/env bash
# The main job: the web app with the demo programme on SQLite (instance/inkubators.sqlite3).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-venv.sh
export INKUBATORS_MODE="${INKUBATORS_MODE:-demo}"
.venv/bin/inkubators demo
exec .venv/bin/inkubators serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
