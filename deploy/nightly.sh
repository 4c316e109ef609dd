#!/usr/bin/env bash
# Every night: verify both logs and write a signed checkpoint (audit checkpoint exits 1,
# writing nothing, if a chain is broken, so cron reports the failure), then a backup that
# records the checkpoint it matches. Copy both to where the auditors keep them (scp, mail).
set -euo pipefail
day="$(date +%F)"
checkpoints="${INKUBATORS_CHECKPOINT_DIR:-/var/lib/inkubators/checkpoints}"
backups="${INKUBATORS_BACKUP_DIR:-/var/lib/inkubators/backups}"
mkdir -p "$checkpoints" "$backups"
inkubators audit checkpoint -o "$checkpoints/$day.json"
inkubators backup "$backups/$day.dump"
