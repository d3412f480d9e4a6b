#!/usr/bin/env bash
# Runs every fuzz target for a bounded time each (FUZZTIME, default 20s).
# A crasher is written under the package's testdata/fuzz/<Target>/: commit it
# with the fix, and plain `go test` replays it as a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-20s}"
targets=(
  "./internal/config FuzzLoad"
  "./internal/manifest FuzzBuild"
  "./internal/manifest FuzzHelmLine"
  "./internal/manifest FuzzUserVolume"
  "./internal/check FuzzHasKey"
  "./internal/render/helm FuzzSplitDocs"
  "./internal/render/manifests FuzzFile"
)
# Every fuzz target of the repository is listed above.
listed=$(printf '%s\n' "${targets[@]}" | awk '{print $2}' | sort)
found=$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' cmd internal | sed 's/^func //' | sort)
if [ "$listed" != "$found" ]; then
  echo "scripts/fuzz.sh lists other fuzz targets than the code has:"
  diff <(echo "$listed") <(echo "$found") || true
  exit 1
fi

# fuzz runs one target, its output also in $log.
fuzz() {
  go test "$pkg" -run "^${name}\$" -fuzz "^${name}\$" -fuzztime "$fuzztime" 2>&1 | tee "$log"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "fuzz $pkg $name ($fuzztime)"
  if fuzz; then
    continue
  fi
  # Go 1.26's fuzzing coordinator can fail a target with a bare "context
  # deadline exceeded" as -fuzztime ends on a loaded machine, having found
  # nothing (golang/go#75804, fixed in Go 1.27). That, and only that, is
  # run once more; a written failing input or any other failure stands.
  if grep -q 'context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"; then
    echo "fuzz $name: the fuzzing coordinator's deadline race (golang/go#75804), no failing input: once more"
    fuzz
  else
    exit 1
  fi
done
