#!/usr/bin/env bash
# The main job: the web app with the demo programme on SQLite (instance/inkubators.sqlite3).
# As root it also installs Debian's Pango and DejaVu fonts, which the council report's PDF needs.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-venv.sh
if { ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || ! ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' \
     || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; } \
   && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's Pango and DejaVu fonts for the council report's PDF (WeasyPrint)…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null) \
    || echo "could not install Pango; the council report's PDF will not render"
fi
export INKUBATORS_MODE="${INKUBATORS_MODE:-demo}"
.venv/bin/inkubators demo
echo "open http://${HOST:-127.0.0.1}:${PORT:-5000}/ and log in with one of the demo users above"
exec .venv/bin/inkubators serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
