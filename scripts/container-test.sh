#!/usr/bin/env bash
# Builds meshgate's action image from the repository's Dockerfile without a
# Docker daemon (buildah, storage driver vfs) and runs the action's
# end-to-end scenarios in it (podman with runc) against the fake GitHub API:
#
#   sudo scripts/container-test.sh
#
# Root, apt (for buildah, podman and runc when missing), Go and npm are
# needed; CI runs it on a fresh machine. No registry is pulled from: the
# Dockerfile's GO_IMAGE and RUNTIME_IMAGE are images made here, the first
# from this machine's Go toolchain, the second from its CA bundle. Go
# modules come from GOPROXY, as in any docker build of the Dockerfile.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in buildah podman runc; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "container-test: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah podman runc >/dev/null
fi

# A storage of its own, vfs (no overlay mounts needed, works inside
# containers too), shared by buildah and podman, here and in the Go test.
conf=$(mktemp -d)
trap 'rm -rf "$conf"' EXIT
export CONTAINERS_STORAGE_CONF="$conf/storage.conf"
cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "vfs"
graphroot = "/var/lib/containers/meshgate-vfs"
runroot = "/run/containers/meshgate-vfs"
EOF

goroot=$(go env GOROOT)
goversion=$(go env GOVERSION)
cabundle=/etc/ssl/certs/ca-certificates.crt
[ -f "$cabundle" ] || { echo "container-test: no CA bundle at $cabundle (apt-get install ca-certificates)" >&2; exit 1; }

# has IMAGE: the image exists in the storage.
has() { buildah inspect --type image "$1" >/dev/null 2>&1; }

# The builder base: this machine's Go toolchain on an empty image, laid out
# like the official golang image. Tagged with the Go version, so that it is
# made again only when the toolchain changes.
go_image=localhost/golang-local:$goversion
if ! has "$go_image"; then
  echo "container-test: making $go_image from $goroot" >&2
  ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$goroot" /usr/local/go >/dev/null
  buildah copy --quiet "$ctr" "$cabundle" /etc/ssl/certs/ca-certificates.crt >/dev/null
  buildah config --env PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env GOPATH=/go --env HOME=/root --workingdir /go "$ctr"
  buildah commit --quiet --rm "$ctr" "$go_image" >/dev/null
fi

# The runtime base: CA certificates (for the GitHub API) and a /tmp, as the
# distroless static image has them.
runtime_image=localhost/runtime-local:latest
if ! has "$runtime_image"; then
  echo "container-test: making $runtime_image" >&2
  ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$cabundle" /etc/ssl/certs/ca-certificates.crt >/dev/null
  mnt=$(buildah mount "$ctr")
  install -d -m 1777 "$mnt/tmp"
  buildah umount "$ctr" >/dev/null
  buildah commit --quiet --rm "$ctr" "$runtime_image" >/dev/null
fi

# The image under test. Its version is the one the end-to-end tests' golden
# files expect in the report's footer. The builder's Go build cache is a
# folder of this machine's, so that a rebuild compiles only what changed
# (a first build compiles everything: minutes); the image never holds it.
image=localhost/meshgate:e2e
gocache=${XDG_CACHE_HOME:-$HOME/.cache}/meshgate/container-go-build
mkdir -p "$gocache"
echo "container-test: building $image" >&2
buildah bud --quiet --isolation chroot --pull=never --layers=false \
  --volume "$gocache:/root/.cache/go-build" \
  --build-arg GO_IMAGE="$go_image" \
  --build-arg RUNTIME_IMAGE="$runtime_image" \
  --build-arg GOPROXY="$(go env GOPROXY)" \
  --build-arg VERSION=0.0.0-e2e \
  -f Dockerfile -t "$image" . >/dev/null
# The previous build's image, now untagged.
buildah rmi --prune >/dev/null 2>&1 || true

echo "container-test: running the scenarios in $image" >&2
MESHGATE_IMAGE=$image go test -count=1 -tags container -run 'TestContainer' ./internal/cli
