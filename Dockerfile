# syntax=docker/dockerfile:1
# hookflow for production: the slim binary (serve, worker, setup and the
# operator commands; no embedded Temporal server, no Web UI), static, on a
# distroless base, as a non-root user, with a project baked in at /project.
#
#   docker build -t hookflow --build-arg PROJECT=path/to/your/project .
#
# deploy/kubernetes runs this image; docs/deploy.md explains the layout.
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -tags slim -ldflags=-s -o /out/hookflow ./cmd/hookflow

FROM gcr.io/distroless/static-debian12:nonroot
ARG PROJECT=samples/shop
COPY --from=build /out/hookflow /hookflow
COPY ${PROJECT} /project
USER 65532:65532
# 8080 webhooks (serve), 9464 serve's /metrics, 9465 worker's /metrics and probes.
EXPOSE 8080 9464 9465
ENTRYPOINT ["/hookflow"]
CMD ["serve", "--project=/project", "--listen=:8080", "--metrics=:9464"]
