FROM python:3.11
# buildbench: packages come from a local index served on 127.0.0.1 for the run.
ARG PIP_INDEX_URL
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONFAULTHANDLER=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# requirements.txt is generated outside the build and committed (extra-2).
COPY requirements.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --require-hashes -r requirements.txt

# Precompile every module on sys.path (extra-1).
RUN python -m compileall $(python -c "import sys; print(' '.join(sys.path), end='')") -r 10

COPY . .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install . --no-deps
RUN python -m compileall src -r 10

CMD ["gunicorn", "final.main:app"]
