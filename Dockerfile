# syntax=docker/dockerfile:1
# One image for the three parts of the bot; the command says which part runs (compose.yaml,
# deploy/, docs/deploy.md):
#   Rasa server     python -m bot.server.rasa_server run ...   (the default command below)
#   action server   python -m bot.server.action_server --actions actions --port 5055
#   delivery worker python -m bot deliver
# Built in: the runtime lock only (requirements.lock, hash-checked, no test or lint tools), the
# Danish spaCy pipeline (python -m bot build-spacy) and the model, trained during the build, so
# one image tag is one model. To serve another model without rebuilding, mount it over
# /app/models/current.tar.gz.
#   docker build --platform linux/amd64 -t arbejdsmiljoguiden .
# The lock is made for x86-64 Linux (scripts/lock.sh): build for linux/amd64.

# --- the web chat's one JavaScript package (socket.io-client), without the test-only axe-core ---
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- the Python environment: requirements.lock only ---------------------------------------------
FROM python:3.10-slim-bookworm AS python-env
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY requirements.lock ./
COPY scripts/lock-entries.sh scripts/
# pip, setuptools and wheel from the lock first, so that the three packages published only as
# source (docopt, mattermostwrapper, randomname) are built with them; then everything else with
# --no-deps: the lock lists every package (jax and jaxlib are left out on purpose, scripts/lock.sh).
RUN bash scripts/lock-entries.sh requirements.lock pip setuptools wheel > /tmp/installer.txt \
    && pip install --require-hashes --no-deps -r /tmp/installer.txt \
    && pip install --require-hashes --no-deps --no-build-isolation -r requirements.lock \
    && rm /tmp/installer.txt

# --- the spaCy pipeline and the model, made with the same environment -------------------------
FROM python-env AS model
ENV PYTHONPATH=/app \
    TF_CPP_MIN_LOG_LEVEL=2 \
    RASA_TELEMETRY_ENABLED=false
COPY bot ./bot
COPY config.yml domain.yml ./
COPY data ./data
RUN python -m bot build-spacy build/spacy_da \
    && python -m bot train --out models --fixed-model-name current

# --- what runs -------------------------------------------------------------------------------
FROM python:3.10-slim-bookworm
# A fixed, non-root user: Kubernetes' runAsNonRoot can check the number.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home app
COPY --from=python-env /opt/venv /opt/venv
WORKDIR /app
# The code and settings belong to root and are read-only for the bot; var/ is its only folder.
COPY bot ./bot
COPY actions ./actions
COPY web ./web
COPY --from=web /web/node_modules ./web/node_modules
COPY config.yml domain.yml credentials.yml endpoints.yml endpoints.production.yml ./
COPY --from=model /app/build/spacy_da ./build/spacy_da
COPY --from=model /app/models/current.tar.gz ./models/current.tar.gz
RUN mkdir -p var && chown app:app var
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/home/app \
    MPLCONFIGDIR=/tmp/matplotlib \
    TF_CPP_MIN_LOG_LEVEL=2 \
    RASA_TELEMETRY_ENABLED=false
USER 10001:10001
EXPOSE 5005 5055
# The Rasa server of the production profile: PostgreSQL and Redis from DB_* and REDIS_* (.env.example).
CMD ["python", "-m", "bot.server.rasa_server", "run", "--model", "models/current.tar.gz", \
     "--endpoints", "endpoints.production.yml", "--credentials", "credentials.yml", "--port", "5005"]
