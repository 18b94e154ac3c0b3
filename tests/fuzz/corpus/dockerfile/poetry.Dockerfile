FROM python:3.11
# buildbench: packages come from a local index served on 127.0.0.1 for the run.
ARG PIP_INDEX_URL
RUN pip install poetry
WORKDIR /app
COPY . .
RUN poetry install --with prod
CMD ["poetry", "run", "gunicorn", "kiss_poetry.main:app"]
