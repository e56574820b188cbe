FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OMZIEN_DATABASE=/data/omzien.sqlite3

RUN useradd --create-home --uid 10001 omzien \
    && mkdir /data && chown omzien:omzien /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
RUN pip install --no-cache-dir .

USER omzien
VOLUME ["/data"]
# The webhook and /metrics, when OMZIEN_WEBHOOK_URL or OMZIEN_METRICS_PORT turns them on.
EXPOSE 8080

HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot", "run"]
