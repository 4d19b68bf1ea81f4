# helpdesk-bot in two stages. The builder installs the dependencies and the bot into a virtual
# environment; the runtime image receives that environment and the content admins edit, nothing
# else: no source tree, no build/ or *.egg-info, no pip. Numeric non-root user, SQLite on a volume.
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md LICENSE ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt

# The bot as a wheel (content and intents ship inside it). Then what only a build or the
# libraries' own test suites need goes: their tests/ folders (~75 MB) and pip and setuptools
# (~25 MB). .ci/run repeats these steps and runs check, parse and chat in the result.
COPY bot/ ./bot/
COPY content/ ./content/
COPY intents/ ./intents/
RUN /opt/venv/bin/pip install --no-deps . \
    && find /opt/venv -type d \( -name tests -o -name test \) -path "*/site-packages/*" -prune \
       -exec rm -rf {} + \
    && /opt/venv/bin/python -m pip uninstall --yes --quiet pip setuptools


FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    CONTENT_DIR=/app/content \
    INTENTS_DIR=/app/intents \
    DATABASE_PATH=/data/bot.sqlite3 \
    MODEL_CACHE_DIR=/data/models

# A numeric user, so a platform can see it is not root without reading /etc/passwd (Kubernetes
# runAsNonRoot); named too, with a home for `docker exec … helpdesk-bot chat` history. It owns
# /data and nothing else: the code and content stay read-only to the bot.
RUN groupadd --gid 10001 helpdesk \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin helpdesk \
    && mkdir -p -m 0700 /data \
    && chown 10001:10001 /data

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The files admins edit (mount your own over /app/content to edit them live).
COPY content/ ./content/
COPY intents/ ./intents/
RUN helpdesk-bot check

USER 10001:10001
VOLUME ["/data"]

HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["helpdesk-bot", "health"]
STOPSIGNAL SIGTERM
CMD ["helpdesk-bot", "run"]
