#!/usr/bin/env bash
# scripts/bench.sh: meshgate's monorepo benchmark, reproducible on any machine
# with Go.
#
# It builds meshgate, installs the pinned reference CLIs (helm v3.22.0 and
# kustomize v5.8.2, with `go install`) into .cache/bench/bin, writes the
# synthetic monorepo of internal/benchgen (ENVS environments × SERVICES
# services, half Helm, half kustomize) and times, REPS times each and
# interleaved, after one untimed warm-up run:
#
#   (a) meshgate check, every output written (json, sarif, markdown, text);
#   (b) the render-only baseline a team would script: `helm template` or
#       `kustomize build` for each environment, one after another, with the
#       flags meshgate renders it with (benchgen writes them to envs.tsv);
#   (c) meshgate check --render-only: meshgate rendering every environment
#       without checking or reporting, i.e. the cost of the checks is (a)-(c).
#
# It prints the medians, the ratios (a)/(b) and (a)/(c), the peak RSS of (a),
# and the median of (a) over 10, 20, 40 and 80 environments with the 80/40
# ratio, then ends with a markdown table to paste into the README.
#
# Usage: scripts/bench.sh   (from anywhere; the defaults run (b) 6 times, the longest part)
# Settings, from the environment:
#   REPS=5               repetitions per measurement; the median is reported
#   ENVS=40              environments of the main repository
#   SERVICES=50          services per environment
#   SEED=1               benchgen seed
#   SCALING=1            0 skips the scaling runs
#   SCALE_ENVS="10 20 40 80"
#   CACHE=.cache/bench   binaries, generated repositories and outputs
# Peak RSS comes from GNU time (/usr/bin/time) when present, else from
# python3's resource.getrusage; one of them is needed.
# meshgate exits 1 when it finds gaps (the generated repository has some on
# purpose): 0 and 1 count as success, anything else stops the benchmark.
set -euo pipefail
export LC_ALL=C

HELM_VERSION=v3.22.0
KUSTOMIZE_VERSION=v5.8.2

REPS=${REPS:-5}
ENVS=${ENVS:-40}
SERVICES=${SERVICES:-50}
SEED=${SEED:-1}
SCALING=${SCALING:-1}
SCALE_ENVS=${SCALE_ENVS:-"10 20 40 80"}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CACHE:-$ROOT/.cache/bench}
BIN=$CACHE/bin
MG=$BIN/meshgate

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

for n in REPS ENVS SERVICES; do
	[[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "$n must be a positive integer, got '${!n}'"
done
command -v go >/dev/null || die "go is not on PATH"

# --- tools -----------------------------------------------------------------

mkdir -p "$BIN"
cd "$ROOT"
log "building meshgate and benchgen"
go build -o "$MG" ./cmd/meshgate
go build -o "$BIN/benchgen" ./internal/benchgen/cmd/benchgen

# install_tool NAME MODULE VERSION: go install into $BIN unless that version
# is already there (a stamp file records it: the binaries cannot tell).
install_tool() {
	local stamp="$BIN/.$1-$3"
	if [[ -x $BIN/$1 && -e $stamp ]]; then
		return
	fi
	log "installing $1 $3"
	GOBIN=$BIN go install "$2@$3"
	rm -f "$BIN/.$1-"*
	touch "$stamp"
}
install_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
install_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"

# Peak RSS: GNU time's %M, else python3 (ru_maxrss of the waited-for child).
if /usr/bin/time --version 2>&1 | grep -q GNU; then
	rss_wrap() { /usr/bin/time -f %M -o "$1" "${@:2}"; }
elif command -v python3 >/dev/null; then
	rss_wrap() {
		python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    kb //= 1024  # bytes there
open(sys.argv[1], "w").write("%d\n" % kb)
sys.exit(rc)' "$@"
	}
else
	die "need GNU time (/usr/bin/time) or python3 to measure peak RSS"
fi

# --- measuring -------------------------------------------------------------

# now_us prints a wall-clock timestamp in microseconds.
if [[ -n ${EPOCHREALTIME:-} ]]; then
	now_us() { local t=${EPOCHREALTIME//[.,]/}; printf '%s\n' "$t"; }
else
	now_us() { date +%s%6N; }
fi
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e6 }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# verdict VALUE LIMIT: whether VALUE meets the "at most LIMIT" target.
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v != "n/a" && v <= l) ? "met" : "missed" }'; }

# generate ENVS: the repository of ENVS × SERVICES, written afresh (benchgen
# is deterministic; a fresh folder keeps stale files out).
generate() {
	local dir="$CACHE/repos/$1x$SERVICES-seed$SEED"
	rm -rf "$dir"
	"$BIN/benchgen" -out "$dir" -envs "$1" -services "$SERVICES" -seed "$SEED" >&2
	printf '%s\n' "$dir"
}

OUT=$CACHE/out
mkdir -p "$OUT"

# run_a REPO: (a), setting A_SECONDS and A_RSS_KB.
run_a() {
	local start end rc=0
	rm -f "$OUT"/a.*
	start=$(now_us)
	rss_wrap "$OUT/rss" "$MG" check -C "$1" \
		--format json --output "$OUT/a.json" --format sarif --output "$OUT/a.sarif" \
		--format markdown --output "$OUT/a.md" --format text --output "$OUT/a.txt" \
		>/dev/null 2>"$OUT/a.stderr" || rc=$?
	end=$(now_us)
	if ((rc > 1)); then
		cat "$OUT/a.stderr" >&2
		die "meshgate check exited $rc"
	fi
	A_SECONDS=$(seconds "$start" "$end")
	A_RSS_KB=$(tail -n 1 "$OUT/rss")
}

# run_b REPO: (b), setting B_SECONDS, B_HELM and B_KUSTOMIZE (the part of
# each CLI). The envs.tsv paths are relative to the repository root.
run_b() {
	local start end t0 t1 helm=0 kust=0 f
	pushd "$1" >/dev/null
	start=$(now_us)
	while IFS=$'\t' read -r -a f; do
		[[ ${#f[@]} -eq 0 || ${f[0]} == \#* ]] && continue
		t0=$(now_us)
		"$BIN/${f[1]}" "${f[@]:2}" </dev/null >/dev/null 2>"$OUT/b.stderr" ||
			{ cat "$OUT/b.stderr" >&2; die "baseline: ${f[1]} failed on environment ${f[0]}"; }
		t1=$(now_us)
		if [[ ${f[1]} == helm ]]; then helm=$((helm + t1 - t0)); else kust=$((kust + t1 - t0)); fi
	done <envs.tsv
	end=$(now_us)
	popd >/dev/null
	B_SECONDS=$(seconds "$start" "$end")
	B_HELM=$(seconds 0 "$helm")
	B_KUSTOMIZE=$(seconds 0 "$kust")
}

# run_c REPO: (c), setting C_SECONDS.
run_c() {
	local start end rc=0
	start=$(now_us)
	"$MG" check -C "$1" --render-only >/dev/null 2>"$OUT/c.stderr" || rc=$?
	end=$(now_us)
	if ((rc > 1)); then
		cat "$OUT/c.stderr" >&2
		die "meshgate check --render-only exited $rc"
	fi
	C_SECONDS=$(seconds "$start" "$end")
}

# summary_field NAME: an integer of the JSON report's summary.
summary_field() {
	awk -v k="\"$1\":" '/^  "summary"/ { s = 1 } s && $1 == k { gsub(/[^0-9]/, "", $2); print $2; exit }' "$OUT/a.json"
}

# --- main comparison -------------------------------------------------------

REPO=$(generate "$ENVS")
log "warm-up run of (a), (b) and (c) on $ENVS × $SERVICES"
run_a "$REPO"
if grep -q '"rule": "render-error"' "$OUT/a.json"; then
	grep -A6 '"rule": "render-error"' "$OUT/a.json" >&2
	die "an environment did not render: the benchmark would not compare like with like"
fi
WORKLOADS=$(summary_field workloads)
FINDINGS=$(summary_field findings)
for f in json sarif md txt; do
	[[ -s $OUT/a.$f ]] || die "meshgate check wrote no $OUT/a.$f"
done
run_b "$REPO"
run_c "$REPO"

declare -a A B BH BK C RSS
for ((i = 1; i <= REPS; i++)); do
	run_a "$REPO"
	run_b "$REPO"
	run_c "$REPO"
	A+=("$A_SECONDS")
	B+=("$B_SECONDS")
	BH+=("$B_HELM")
	BK+=("$B_KUSTOMIZE")
	C+=("$C_SECONDS")
	RSS+=("$A_RSS_KB")
	log "rep $i/$REPS: (a) ${A_SECONDS}s  (b) ${B_SECONDS}s  (c) ${C_SECONDS}s  peak RSS of (a) $(mib "$A_RSS_KB") MiB"
done
MA=$(median "${A[@]}")
MB=$(median "${B[@]}")
MBH=$(median "${BH[@]}")
MBK=$(median "${BK[@]}")
MC=$(median "${C[@]}")
PEAK=$(mib "$(max "${RSS[@]}")")
AB=$(ratio "$MA" "$MB")
AC=$(ratio "$MA" "$MC")

# --- scaling ---------------------------------------------------------------

declare -A SCALE_A SCALE_RSS SCALE_WORKLOADS
if [[ $SCALING != 0 ]]; then
	for n in $SCALE_ENVS; do
		if ((n == ENVS)); then
			SCALE_A[$n]=$MA SCALE_RSS[$n]=$PEAK SCALE_WORKLOADS[$n]=$WORKLOADS
			continue
		fi
		repo=$(generate "$n")
		log "scaling: $n environments"
		run_a "$repo"
		SCALE_WORKLOADS[$n]=$(summary_field workloads)
		runs=()
		rss=()
		for ((i = 1; i <= REPS; i++)); do
			run_a "$repo"
			runs+=("$A_SECONDS")
			rss+=("$A_RSS_KB")
		done
		SCALE_A[$n]=$(median "${runs[@]}")
		SCALE_RSS[$n]=$(mib "$(max "${rss[@]}")")
		log "scaling: $n environments: (a) ${SCALE_A[$n]}s"
	done
fi
SCALE_RATIO=n/a
if [[ -n ${SCALE_A[80]:-} && -n ${SCALE_A[40]:-} ]]; then
	SCALE_RATIO=$(ratio "${SCALE_A[80]}" "${SCALE_A[40]}")
fi

# --- report ----------------------------------------------------------------

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null) ]]; then rev="$rev (with local changes)"; fi

cat <<EOF

## Benchmark

\`scripts/bench.sh\` (REPS=$REPS ENVS=$ENVS SERVICES=$SERVICES SEED=$SEED), meshgate $rev,
helm $HELM_VERSION, kustomize $KUSTOMIZE_VERSION, $(go env GOVERSION), $cores cores${cpu:+ ($cpu)}.
Repository: $ENVS environments × $SERVICES services ($WORKLOADS workloads, $FINDINGS findings),
half Helm, half kustomize. Median of $REPS runs after a warm-up.

| measurement | median | target |
|---|---:|---|
| (a) \`meshgate check\`, json + sarif + markdown + text written | ${MA} s | |
| (b) \`helm template\` / \`kustomize build\` per environment, in sequence | ${MB} s | |
| &nbsp;&nbsp;of which helm / kustomize | ${MBH} s / ${MBK} s | |
| (c) \`meshgate check --render-only\` | ${MC} s | |
| (a)/(b) | ${AB} | ≤ 0.35: $(verdict "$AB" 0.35) |
| (a)/(c) | ${AC} | ≤ 1.10: $(verdict "$AC" 1.10) |
| peak RSS of (a) | ${PEAK} MiB | ≤ 400 MiB: $(verdict "$PEAK" 400) |
EOF
if [[ $SCALING != 0 ]]; then
	printf '\n| environments | workloads | (a) median | peak RSS |\n|---:|---:|---:|---:|\n'
	for n in $SCALE_ENVS; do
		printf '| %s | %s | %s s | %s MiB |\n' "$n" "${SCALE_WORKLOADS[$n]}" "${SCALE_A[$n]}" "${SCALE_RSS[$n]}"
	done
	if [[ $SCALE_RATIO != n/a ]]; then
		printf '\n80 environments take %s× the time of 40 (target ≤ 2.2: %s).\n' "$SCALE_RATIO" "$(verdict "$SCALE_RATIO" 2.2)"
	fi
fi
