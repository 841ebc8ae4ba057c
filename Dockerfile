# syntax=docker/dockerfile:1
# Solace: one image for AWS Lambda (through the Lambda Web Adapter) and for plain `docker run`.
# Python 3.11: the minor version CI tests.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# The runtime lock (`make lock`): every package pinned and checked against PyPI's hashes.
COPY requirements.lock .
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-compile --require-hashes --no-deps -r requirements.lock \
    && /opt/venv/bin/pip check
COPY manage.py ./
COPY solace ./solace
COPY accounts ./accounts
COPY patients ./patients
COPY triage ./triage
COPY intake ./intake
COPY cockpit ./cockpit
COPY console ./console
COPY audit ./audit
COPY reports ./reports
COPY templates ./templates
COPY static ./static
COPY locale ./locale
# Lambda's filesystem is read-only except /tmp: collect static files now, at build time, and
# bytecode too: without .pyc files every cold start compiles every module it imports again
# (`make bench`: over a second). Unchecked hashes: the files never change in the image.
RUN SOLACE_SECRET_KEY=build-only-not-secret /opt/venv/bin/python manage.py collectstatic --noinput \
    && /opt/venv/bin/python -m compileall -q --invalidation-mode unchecked-hash /opt/venv /app

FROM python:3.11-slim
# The adapter turns Lambda invocations into HTTP requests to gunicorn; pinned to a release.
COPY --from=public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1 /lambda-adapter /opt/extensions/lambda-adapter
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    AWS_LWA_PORT=8000 \
    AWS_LWA_READINESS_CHECK_PATH=/healthz \
    TMPDIR=/tmp
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# The base image's standard library, compiled the same way (it may ship without .pyc files).
RUN python -m compileall -q --invalidation-mode unchecked-hash /usr/local/lib/python3.11 \
    && useradd --system --uid 10001 --no-create-home solace
USER 10001
EXPOSE 8000
# One worker: Lambda sends one request at a time. No control socket (read-only filesystem).
CMD ["gunicorn", "solace.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "1", "--threads", "1", "--timeout", "30", "--no-control-socket", "--worker-tmp-dir", "/tmp"]
