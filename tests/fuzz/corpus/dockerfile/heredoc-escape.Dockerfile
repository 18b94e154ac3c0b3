# escape=`
ARG PY=3.11 FLAVOUR
FROM python:${PY}-${FLAVOUR:-slim} AS Base
COPY --parents --exclude=*.md ./src/./**/*.py /app/
COPY ["weird name.py", "/app/"]
RUN <<EOF bash
echo from a heredoc `
FROM not-a-stage
EOF
COPY <<-"END" /etc/conf
	key=value
	END
FROM base
CMD ["python", "-m", "app"]
