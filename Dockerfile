# syntax=docker/dockerfile:1
# Gallant SMS: docker build -t gallant --build-arg VERSION=$(git describe --tags --always) .
# Three stages: the dashboard (Node 20, as make web-build), the static Go
# binaries with the dashboard embedded (make build-static, the command
# make package-check runs and checks without a container engine), and a
# distroless runtime: no shell, no package manager, CA certificates and
# tzdata, user nonroot (65532).

FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --silent
COPY web/ ./
RUN npm run --silent build

FROM golang:1.26-bookworm AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist/app ./web/dist/app
RUN make build-static OUT=/out VERSION="$VERSION" \
 && mkdir -p /rootfs/var/lib/gallant /rootfs/etc/gallant \
 && cp deploy/docker/gallant.yaml /rootfs/etc/gallant/gallant.yaml

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="Gallant SMS" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.licenses="see LICENSE"
COPY --from=build /out/gallant /out/smscsim /usr/local/bin/
COPY --from=build --chown=65532:65532 /rootfs/var/lib/gallant /var/lib/gallant
COPY --from=build /rootfs/etc/gallant /etc/gallant
USER 65532:65532
# The node lock (a restart after a crash resumes its node at once) lives
# in the cache directory: keep it on the volume.
ENV XDG_CACHE_HOME=/var/lib/gallant/cache
WORKDIR /var/lib/gallant
VOLUME ["/var/lib/gallant"]
# HTTP API and dashboard, SMPP, Prometheus metrics.
EXPOSE 8080 2775 9464
# The binary checks itself (the image has no curl): GET /healthz on the
# address the configuration, file or GALLANT_HTTP_LISTEN, listens on.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/gallant", "healthcheck", "--config", "/etc/gallant/gallant.yaml"]
ENTRYPOINT ["/usr/local/bin/gallant"]
CMD ["serve", "--config", "/etc/gallant/gallant.yaml"]
