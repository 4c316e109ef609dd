#!/usr/bin/env bash
# The checks CI runs before the tests, and pre-commit before each commit: ruff (lint and
# format), mypy strict on the code and on the tests, and the import contracts in
# pyproject.toml (lint-imports). It uses the versions pinned in the test extra, from .venv
# (bash scripts/setup-venv.sh test). Every check runs, so one report lists every failure;
# the exit code is 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
if [ ! -x "$bin/ruff" ] || [ ! -x "$bin/mypy" ] || [ ! -x "$bin/lint-imports" ]; then
  echo "lint.sh: the checkers are not installed; run: bash scripts/setup-venv.sh test" >&2
  exit 2
fi
failed=()
check() {
  echo "== $*"
  "$@" || failed+=("$*")
}
check "$bin/ruff" check .
check "$bin/ruff" format --check .
check "$bin/mypy" workflow web inkubators benchmarks
check "$bin/mypy" tests
check "$bin/lint-imports" --no-logo
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'lint.sh: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "lint.sh: all checks passed"
