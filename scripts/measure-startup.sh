#!/usr/bin/env bash
# scripts/measure-startup.sh: the two figures docs/performance.md gives for a
# release of meshgate, reproducible on any machine with Go and python3:
#
#   - the size of the release binary and of the container image (compressed,
#     as a registry stores it, and uncompressed);
#   - the time from process start to meshgate's first line of output.
#
# It builds meshgate with the release flags (CGO_ENABLED=0, -trimpath,
# -ldflags "-s -w") into $CACHE and starts it RUNS times after WARMUP untimed
# runs, for `meshgate version` and for `meshgate check` of the demo
# repository. A small python3 harness takes a timestamp just before it
# starts the process and another when the first byte arrives on stdout or
# stderr (meshgate writes whole lines), and reads until the process exits.
# The medians are reported, with the minimum and the maximum.
#
# The image is the one scripts/container-test.sh builds into its own
# buildah storage (vfs, /var/lib/containers/meshgate-vfs); it is measured
# only when buildah is installed and that storage holds $IMAGE (as root, the
# storage is root's). The image is pushed with gzip to an OCI layout folder,
# the form a registry receives, and its blobs are summed. When podman is
# installed too, `podman run --rm $IMAGE version` is timed the same way (as
# internal/cli's container test runs it: runc, the host's network); that
# time includes podman creating and removing the container.
#
# Usage: scripts/measure-startup.sh   (from anywhere)
# Settings, from the environment:
#   RUNS=30                      timed runs per command; the median is reported
#   WARMUP=3                     untimed runs before them
#   IMAGE=localhost/meshgate:e2e the image to measure
#   CONTAINER=1                  0 skips the image and the container runs
#   CACHE=.cache/measure         the binary and the pushed image
#   CONTAINERS_STORAGE_CONF      when set, the storage to find IMAGE in
set -euo pipefail
export LC_ALL=C

RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
IMAGE=${IMAGE:-localhost/meshgate:e2e}
CONTAINER=${CONTAINER:-1}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CACHE:-$ROOT/.cache/measure}
MG=$CACHE/meshgate
TARGET_MB=30

log() { printf 'measure: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer, got '$WARMUP'"
command -v go >/dev/null || die "go is not on PATH"
command -v python3 >/dev/null || die "python3 is not on PATH"

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
verdict() { awk -v b="$1" -v l="$TARGET_MB" 'BEGIN { print (b / 1e6 <= l) ? "met" : "missed" }'; }

# first_line CMD...: starts CMD RUNS times (after WARMUP runs) and prints
# "median min max" of the time to the first byte of output, then the median
# time to exit, in milliseconds. Exit codes 0 and 1 (gaps found) count as
# success; anything else, or no output at all, stops the measurement.
first_line() {
	python3 - "$RUNS" "$WARMUP" "$@" <<'PY'
import os, select, statistics, subprocess, sys, time

runs, warmup, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]


def once():
    start = time.perf_counter_ns()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first, out = None, b""
    fds = {p.stdout.fileno(), p.stderr.fileno()}
    while fds:
        ready, _, _ = select.select(list(fds), [], [])
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                fds.discard(fd)
                continue
            if first is None:
                first = time.perf_counter_ns()
            out += chunk
    rc = p.wait()
    end = time.perf_counter_ns()
    if rc > 1 or first is None:
        sys.stderr.write(out.decode(errors="replace"))
        sys.exit("measure: %s exited %d%s" % (" ".join(cmd), rc,
                 "" if first else " without output"))
    return (first - start) / 1e6, (end - start) / 1e6


for _ in range(warmup):
    once()
samples = [once() for _ in range(runs)]
fl = [s[0] for s in samples]
ex = [s[1] for s in samples]
print("%.1f %.1f %.1f %.1f" % (statistics.median(fl), min(fl), max(fl),
                               statistics.median(ex)))
PY
}

# report_line LABEL "median min max exit": one line of the timing table.
report_line() {
	local m lo hi ex
	read -r m lo hi ex <<<"$2"
	printf '| %s | %s ms | %s–%s ms | %s ms |\n' "$1" "$m" "$lo" "$hi" "$ex"
}

# --- the binary --------------------------------------------------------------

mkdir -p "$CACHE"
cd "$ROOT"
log "building meshgate with the release flags"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$MG" ./cmd/meshgate
BIN_BYTES=$(wc -c <"$MG")
BIN_GZ_BYTES=$(gzip -c "$MG" | wc -c)

log "timing meshgate version ($WARMUP + $RUNS runs)"
T_VERSION=$(first_line "$MG" version)
log "timing meshgate check of testdata/demo ($WARMUP + $RUNS runs)"
T_CHECK=$(first_line "$MG" check -C testdata/demo --env shop-staging)

# --- the image ---------------------------------------------------------------

IMG_STATUS="not measured (CONTAINER=0)"
T_CONTAINER=""
if [[ $CONTAINER != 0 ]] && command -v buildah >/dev/null; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	# scripts/container-test.sh's storage, unless the caller names one.
	storage=${CONTAINERS_STORAGE_CONF:-/var/lib/containers/meshgate-vfs}
	if [[ -z ${CONTAINERS_STORAGE_CONF:-} ]]; then
		export CONTAINERS_STORAGE_CONF=$work/storage.conf
		cat >"$CONTAINERS_STORAGE_CONF" <<-EOF
			[storage]
			driver = "vfs"
			graphroot = "/var/lib/containers/meshgate-vfs"
			runroot = "/run/containers/meshgate-vfs"
		EOF
	fi
	if buildah inspect --type image "$IMAGE" >/dev/null 2>&1; then
		log "pushing $IMAGE (gzip) to an OCI layout"
		layout=$CACHE/oci
		rm -rf "$layout"
		buildah push --quiet --compression-format gzip "$IMAGE" "oci:$layout" >/dev/null
		# "layers compressed, layers uncompressed, manifest + config, layer count"
		sizes=$(python3 - "$layout" <<-'PY'
			import json, os, sys, zlib
			root = sys.argv[1]
			blob = lambda d: os.path.join(root, "blobs", *d.split(":", 1))
			desc = json.load(open(os.path.join(root, "index.json")))["manifests"][0]
			manifest = json.load(open(blob(desc["digest"])))
			gz = raw = 0
			for layer in manifest["layers"]:
			    gz += layer["size"]
			    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
			    with open(blob(layer["digest"]), "rb") as f:
			        for chunk in iter(lambda: f.read(1 << 20), b""):
			            raw += len(d.decompress(chunk))
			meta = desc["size"] + manifest["config"]["size"]
			print(gz, raw, meta, len(manifest["layers"]))
		PY
		)
		read -r IMG_GZ IMG_RAW IMG_META IMG_LAYERS <<<"$sizes"
		IMG_STATUS=measured
		if command -v podman >/dev/null; then
			log "timing podman run --rm $IMAGE version ($WARMUP + $RUNS runs)"
			# As the container end-to-end test runs it: runc, the host's
			# network and the runner's low limits (runc cannot raise them in a
			# container of a container).
			T_CONTAINER=$(first_line podman --log-level=error --runtime runc run --rm --network=host \
				--ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$IMAGE" version) ||
				{ T_CONTAINER=""; log "podman run failed: the container start is not measured"; }
		fi
	else
		IMG_STATUS="not measured: $IMAGE is not in the storage $storage (scripts/container-test.sh builds it)"
	fi
elif [[ $CONTAINER != 0 ]]; then
	IMG_STATUS="not measured: buildah is not installed"
fi

# --- report ------------------------------------------------------------------

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null) ]]; then rev="$rev (with local changes)"; fi

cat <<EOF

## Start-up and image size

\`scripts/measure-startup.sh\` (RUNS=$RUNS WARMUP=$WARMUP), meshgate $rev, $(go env GOVERSION),
$(uname -sm), $cores cores${cpu:+ ($cpu)}. MB = 10^6 bytes.

| artifact | size |
|---|---:|
| binary (CGO_ENABLED=0, -trimpath, -ldflags "-s -w") | $(mb "$BIN_BYTES") MB ($BIN_BYTES bytes) |
| binary, gzip -6 | $(mb "$BIN_GZ_BYTES") MB |
EOF
if [[ $IMG_STATUS == measured ]]; then
	total=$((IMG_GZ + IMG_META))
	cat <<-EOF
		| image $IMAGE, compressed ($IMG_LAYERS gzip layers + manifest + config) | $(mb "$total") MB ($total bytes); target ≤ $TARGET_MB MB: $(verdict "$total") |
		| image $IMAGE, uncompressed layers | $(mb "$IMG_RAW") MB |
	EOF
else
	printf '| image | %s |\n' "$IMG_STATUS"
fi
cat <<EOF

| command | time to first line, median | min–max | time to exit, median |
|---|---:|---:|---:|
EOF
report_line "\`meshgate version\`" "$T_VERSION"
report_line "\`meshgate check -C testdata/demo --env shop-staging\`" "$T_CHECK"
if [[ -n $T_CONTAINER ]]; then
	report_line "\`podman run --rm $IMAGE version\`" "$T_CONTAINER"
fi
