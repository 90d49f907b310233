# syntax=docker/dockerfile:1
# Tessera's container image, for the cluster job files in deploy/ (docs/SCALING.md).
#
#   docker build -t tessera .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD/output:/data/out" tessera render --count 10 --out /data/out
#
# The working directory /opt/tessera holds scenes/ and templates/, so
# `render scenes/shapes.scene …` finds the scene and the templates it imports.

# The toolchain Tessera is built and tested with.
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcairo2-dev libpng-dev libjpeg-dev libdeflate-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
# The manifest names the test targets, so their folders must exist for it to load.
COPY Tests ./Tests
# The Swift runtime and Foundation are linked in: the runtime stage has no Swift.
RUN swift build -c release --product tessera --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/tessera" /out/tessera

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcairo2 libpng16-16 libjpeg62-turbo libdeflate0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# An unprivileged user (uid 10001, as the Kubernetes files expect) owning the default output.
RUN groupadd --system --gid 10001 tessera \
    && useradd --system --uid 10001 --gid 10001 --no-create-home tessera \
    && mkdir -p /data/out && chown -R tessera:tessera /data
COPY --from=build /out/tessera /usr/local/bin/tessera
WORKDIR /opt/tessera
COPY scenes ./scenes
COPY templates ./templates
USER 10001
ENTRYPOINT ["tessera"]
CMD ["render", "--out", "/data/out"]
