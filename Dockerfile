# meshgate's container: the GitHub Action (action.yml builds it) and a CLI image.
#
#   docker build --build-arg VERSION=v1.2.3 -t meshgate .
#
# GO_IMAGE and RUNTIME_IMAGE let a build substitute its own bases (a mirror, or
# images made locally for a build without a registry).
ARG GO_IMAGE=golang:1.26
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12

FROM ${GO_IMAGE} AS build
ARG VERSION=dev
ARG GOPROXY
# CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X ...cli.version=VERSION":
# the flags go through GOFLAGS (cmd/go honours its quotes) and the RUNs are in
# exec form, so a bare Go toolchain without a shell works as GO_IMAGE.
ENV CGO_ENABLED=0 \
    GOTOOLCHAIN=local \
    GOPROXY=${GOPROXY} \
    GOFLAGS="-trimpath '-ldflags=-s -w -X github.com/meshgate/meshgate/internal/cli.version=${VERSION}'"
# go build needs /tmp, which a bare toolchain image may lack: WORKDIR makes it.
WORKDIR /tmp
WORKDIR /src
# Dependencies first, so source edits do not download them again.
COPY go.mod go.sum ./
RUN ["go", "mod", "download"]
COPY . .
RUN ["go", "build", "-o", "/out/meshgate", "./cmd/meshgate"]

# A static binary needs nothing but CA certificates (for the GitHub API),
# which the distroless static image carries.
FROM ${RUNTIME_IMAGE}
COPY --from=build /out/meshgate /meshgate
# Root, because GitHub runs docker actions without --user and mounts the
# workspace and the file-command files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)
# from the runner, owned by the runner's user: a non-root user could not
# write the reports or the outputs there.
USER 0:0
WORKDIR /github/workspace
ENTRYPOINT ["/meshgate"]
