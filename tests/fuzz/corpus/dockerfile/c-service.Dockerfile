# Two stages: compiled (statically) in the full image, run from the slim one.
FROM python:3.11 AS build
WORKDIR /src
COPY vendor/ vendor/
RUN gcc -O2 -c vendor/greet/greet.c -o greet.o && ar rcs libgreet.a greet.o
COPY src/ src/
RUN mkdir -p /out && gcc -O2 -static -Ivendor/greet src/main.c libgreet.a -o /out/greeter

FROM python:3.11-slim
COPY --from=build /out/greeter /usr/local/bin/greeter
CMD ["greeter"]
