# syntax=docker/dockerfile:1.7
# The OTA web service image. Build: docker build -t ota .
# Development runs it through docker-compose.yml; Kubernetes through deploy/k8s/.

# --- build: wheels for the project and every dependency the runtime lock pins ---------------
FROM python:3.11-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src

# The runtime lock's wheels, each checked against its hash (wheels only: this stage has no
# compiler), and the locked setuptools, which builds the project's own wheel below. The locks
# come first, so a change to the code alone reuses this layer.
# The pip cache lives in a BuildKit cache mount, so it speeds up rebuilds and never reaches a layer.
COPY requirements/runtime.txt requirements/build.txt ./requirements/
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --require-hashes --only-binary=:all: --wheel-dir /wheels/dependencies \
        -r requirements/runtime.txt \
    && pip install --require-hashes -r requirements/build.txt

COPY pyproject.toml README.md ./
COPY ota_core ./ota_core
COPY ota_adapters ./ota_adapters
COPY ota_web ./ota_web
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels/project .

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

# The wheels are bind-mounted from the build stage, the lock from the context: installed, never
# copied into a layer. The dependencies go in as the runtime lock pins them, their hashes checked
# again, then the project without dependencies of its own.
# The venv gets no pip of its own; the base image's pip installs into it.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    --mount=type=bind,source=requirements/runtime.txt,target=/requirements/runtime.txt \
    python -m venv --without-pip "$VIRTUAL_ENV" \
    && pip --python "$VIRTUAL_ENV/bin/python" install --no-cache-dir --no-index \
        --find-links=/wheels/dependencies --require-hashes -r /requirements/runtime.txt \
    && pip --python "$VIRTUAL_ENV/bin/python" install --no-cache-dir --no-index --no-deps \
        /wheels/project/*.whl \
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
