# One image for every role of a deployment (docs/deployment.md): the web app
# (`inkubators serve`, gunicorn) and the nightly job (`deploy/nightly.sh` under cron).
FROM python:3.11-slim-bookworm

# cron runs the nightly job; pg_dump (postgresql-client) makes its backups; Pango and the
# DejaVu fonts let WeasyPrint print the council report's PDF.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cron postgresql-client \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --uid 10001 --create-home --home-dir /srv/inkubators inkubators
WORKDIR /srv/inkubators
COPY --chown=inkubators:inkubators . .
RUN pip install --no-cache-dir -e . \
 && mkdir -p /var/lib/inkubators/checkpoints /var/lib/inkubators/backups /var/lib/inkubators/instance \
 && chown -R inkubators:inkubators /var/lib/inkubators

ENV INKUBATORS_MODE=production \
    INKUBATORS_INSTANCE_DIR=/var/lib/inkubators/instance \
    INKUBATORS_RULES_FOLLOW=database \
    PYTHONUNBUFFERED=1

USER inkubators
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["inkubators", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
