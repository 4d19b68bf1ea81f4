# helpdesk-bot: slim image, dependencies in their own layer, non-root, SQLite on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    CONTENT_DIR=/app/content \
    INTENTS_DIR=/app/intents \
    DATABASE_PATH=/data/bot.sqlite3 \
    MODEL_CACHE_DIR=/data/models

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY bot/ ./bot/
COPY content/ ./content/
COPY intents/ ./intents/
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 helpdesk \
    && mkdir -p -m 0700 /data \
    && chown helpdesk:helpdesk /data \
    && helpdesk-bot check

USER helpdesk
VOLUME ["/data"]

HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["helpdesk-bot", "health"]
STOPSIGNAL SIGTERM
CMD ["helpdesk-bot", "run"]
