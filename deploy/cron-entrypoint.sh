#!/usr/bin/env bash
# The nightly job's container: cron in the foreground, as root. cron starts jobs with an
# empty environment, so the settings this container was given are written where the job
# reads them (readable by root only); the job runs as the inkubators user.
set -euo pipefail
umask 077
export -p | grep -E ' (DATABASE_URL|INKUBATORS_[A-Z_]+|PATH)=' > /etc/inkubators.env
crontab /srv/inkubators/deploy/crontab
exec cron -f
