# spark2 as a container image: one static binary in an otherwise empty image.
#
# With access to a registry (the default target, built from source):
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t spark2 .
#
# Without one (no image can be pulled), from a binary built on the host:
#
#   CGO_ENABLED=0 go build -trimpath \
#     -ldflags "-s -w -X github.com/spark2/spark2/internal/config.Version=$VERSION" \
#     -o bin/spark2 .
#   docker build --target prebuilt -t spark2 .
#
# (--build-arg SPARK2_BINARY=PATH takes the binary from another path of the
# build context, which then needs its own "!" line in .dockerignore.)
#
# Why "image" and "prebuilt" are the first stages: the classic builder
# (docker build without BuildKit, as on an engine without buildx) runs the
# stages in file order up to --target, whether the target needs them or not, and pulls each
# FROM image when it gets there. With --target prebuilt it stops before the
# golang stage, so nothing is pulled. BuildKit (Docker 23+ with buildx,
# Docker Desktop, CI actions), buildah and kaniko --skip-unused-stages build
# only the stages the target needs, so the default target never reads
# bin/spark2. The classic builder also runs the prebuilt stage for the
# default target: there, build from source with BuildKit, or have bin/spark2
# in place. A missing binary fails the build; it never gives an empty image.
# Both targets give the same image: both are FROM the "image" stage and add
# only the binary (internal/containertest checks it).
#
# The image runs spark2 as root by default, so that it can bind any port and
# then drop itself and its workers to an unprivileged user with SPARK2_USER
# and SPARK2_GROUP (numeric ids need no /etc/passwd). To run it unprivileged
# from the start, add "USER 65534:65534" in your image (or docker run --user,
# or Kubernetes runAsUser), listen on a port >= 1024, and give spark2 a
# writable directory for its status file: this image has no /tmp, so mount
# one (docker run --tmpfs /tmp, an emptyDir) or set SPARK2_STATUS_FILE.
#
# The HEALTHCHECK runs "spark2 --probe ready" (= --status --exit-code) in the
# container: it reads the status file of the master configured by the same
# environment. Configure spark2 with SPARK2_* env vars rather than flags in
# CMD (or set SPARK2_STATUS_FILE), so that the probe finds it.

ARG GO_VERSION=1.26

# image: what both targets are, but for the binary; the two stages below
# only add it.
FROM scratch AS image
ARG VERSION=dev
LABEL org.opencontainers.image.title="spark2" \
      org.opencontainers.image.description="process master for containers: PID 1, N workers on one socket, zero-downtime respawn" \
      org.opencontainers.image.source="https://github.com/spark2/spark2" \
      org.opencontainers.image.version="${VERSION}"
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/spark2", "--probe", "ready"]
ENTRYPOINT ["/usr/local/bin/spark2"]

# prebuilt: the image from a spark2 binary compiled outside (see above).
FROM image AS prebuilt
ARG SPARK2_BINARY=bin/spark2
COPY ${SPARK2_BINARY} /usr/local/bin/spark2

# build: a static, stripped, version-stamped spark2 from source.
FROM golang:${GO_VERSION} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-mod=readonly
COPY go.mod go.sum ./
RUN go mod download
COPY main.go ./
COPY internal/ internal/
ARG VERSION=dev
RUN go build -trimpath \
      -ldflags "-s -w -X github.com/spark2/spark2/internal/config.Version=${VERSION}" \
      -o /out/spark2 . \
 && /out/spark2 --version

# The default target: the same image as "prebuilt", with the binary from "build".
FROM image
COPY --from=build /out/spark2 /usr/local/bin/spark2
