# The production image of Yunfu One-Stop: web (gunicorn), Celery worker and beat all run it.
# Translations are compiled and static files collected at build time; no setting is baked in.

FROM python:3.11-slim AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt
COPY . .
# Throw-away values: settings need them to load; the running containers get real ones.
RUN PRODUCTION=true SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=build \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        PII_ENCRYPTION_KEYS=build:ffffffffffffffffffffffffffffffff \
        PII_LOOKUP_KEYS=build:ffffffffffffffffffffffffffffffff \
        sh -c "python manage.py compilemessages && python manage.py collectstatic --noinput" \
    && rm -rf var/cache var/celery-queue /tmp/build.sqlite3

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /usr/local /usr/local
WORKDIR /app
COPY --from=build /app /app
RUN useradd --system --uid 1000 --home-dir /app onestop \
    && mkdir -p var/media var/beat \
    && chown -R onestop:onestop var
USER onestop
EXPOSE 8000
CMD ["gunicorn", "onestop.wsgi:application", "--config=onestop/gunicorn_conf.py", "--bind=0.0.0.0:8000", "--access-logfile=-"]
