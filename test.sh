#!/usr/bin/env bash
# The whole test suite: installs what it needs (Python packages; as root, Debian's Chromium
# for the browser tests and PostgreSQL's client tools for the backup tests), then runs
# pytest. Extra arguments go to pytest.
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
exec .venv/bin/python -m pytest "$@"
