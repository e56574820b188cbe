FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMZIEN_DATABASE=/data/omzien.sqlite3

RUN useradd --create-home --uid 10001 omzien \
    && mkdir /data && chown omzien:omzien /data

WORKDIR /app
# Exactly the locked versions, each checked against its hash; a layer of its own, so a change of
# code alone does not install them again.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
# Everything it needs is installed above; built with the locked setuptools.
RUN pip install --no-cache-dir --no-deps --no-build-isolation .

USER omzien
VOLUME ["/data"]
# The webhook and /metrics, when OMZIEN_WEBHOOK_URL or OMZIEN_METRICS_PORT turns them on.
EXPOSE 8080

HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot", "run"]
