#!/usr/bin/env bash
# Create .venv (once) and install the project with the given extras, e.g. "test".
# pip's chatter goes to .venv/pip.log; it is shown only when the install fails.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip > .venv/pip.log 2>&1 || { cat .venv/pip.log; exit 1; }
fi
spec="."
[ -n "$extras" ] && spec=".[$extras]"
echo "installing $spec into .venv (log: .venv/pip.log)…"
if ! .venv/bin/python -m pip install -q -e "$spec" > .venv/pip.log 2>&1; then
  cat .venv/pip.log
  exit 1
fi
