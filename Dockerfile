# syntax=docker/dockerfile:1.7
# The OTA web service image. Build: docker build -t ota .
# Development runs it through docker-compose.yml; Kubernetes through deploy/k8s/.

# --- build: wheels for the project and every runtime dependency -----------------------------
FROM python:3.11-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY ota_core ./ota_core
COPY ota_adapters ./ota_adapters
COPY ota_web ./ota_web

# The pip cache lives in a BuildKit cache mount, so it speeds up rebuilds and never reaches a layer.
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --prefer-binary --wheel-dir /wheels .

# --- runtime: a virtual environment built from those wheels, run as an unprivileged user ------
FROM python:3.11-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="ota" \
      org.opencontainers.image.description="Back end of an online travel booking site" \
      org.opencontainers.image.licenses="UNLICENSED"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/run/ota/prometheus

RUN groupadd --system --gid 10001 ota \
    && useradd --system --uid 10001 --gid ota --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin ota

# The wheels are bind-mounted from the build stage: installed, never copied into a layer.
# The venv gets no pip of its own; the base image's pip installs into it.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv --without-pip "$VIRTUAL_ENV" \
    && pip --python "$VIRTUAL_ENV/bin/python" install --no-cache-dir --no-index \
        --find-links=/wheels /wheels/*.whl \
    && install -d -o ota -g ota -m 0700 "$PROMETHEUS_MULTIPROC_DIR"

WORKDIR /app
USER 10001:10001
EXPOSE 8000

# Liveness only (/healthz never touches the database); urllib because slim images have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# A default command rather than an ENTRYPOINT, so the same image runs one-off commands:
# docker run --rm ota ota migrate
CMD ["gunicorn", "-c", "python:ota_web.gunicorn_conf", "ota_web.wsgi:app"]
