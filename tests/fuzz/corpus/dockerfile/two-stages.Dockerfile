FROM python:3.11 AS poetry-export
# buildbench: packages come from a local index served on 127.0.0.1 for the run.
ARG PIP_INDEX_URL
RUN pip install poetry==1.3.2
WORKDIR /app
COPY poetry.lock pyproject.toml ./
RUN poetry export --with prod --format requirements.txt --output requirements.txt

FROM python:3.11 AS server
# buildbench: packages come from a local index served on 127.0.0.1 for the run.
ARG PIP_INDEX_URL
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONFAULTHANDLER=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY --from=poetry-export /app/requirements.txt ./
RUN pip install --require-hashes -r requirements.txt
COPY . .
RUN pip install . --no-deps
CMD ["gunicorn", "nontrivial_improvements.main:app"]
