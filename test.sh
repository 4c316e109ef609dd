#!/usr/bin/env bash
# The whole test suite: installs what it needs (Python packages; as root, Debian's Chromium
# for the browser tests, PostgreSQL's client tools for the backup tests, and Pango with the
# DejaVu fonts for the council report's PDF), then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-venv.sh test
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium; browser tests will skip (and fail when CI=true)"
fi
if ! command -v pg_dump >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing PostgreSQL's client tools (pg_dump, pg_restore) for the backup tests…"
  (apt-get update -qq && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client-15 >/dev/null \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }) \
    || echo "could not install postgresql-client; pg_dump tests will skip (and fail when CI=true)"
fi
if { ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || ! ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' \
     || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; } \
   && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's Pango and DejaVu fonts for the council report's PDF (WeasyPrint)…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null) \
    || echo "could not install Pango; the council report's PDF will not render"
fi
exec .venv/bin/python -m pytest "$@"
