#!/usr/bin/env bash
# actionlint over the repository's workflows and every workflow example in
# README.md and docs/**/*.md: each ```yaml block with top-level on: and jobs:.
#
# The workflows and examples are linted in a temporary copy that also holds
# action.yml, so that actionlint checks `uses: ./` inputs against it; examples
# that use meshgate/meshgate@REF are pointed at ./ for the same check. An
# example's file is named after its source and padded so that actionlint's
# line numbers are the markdown file's: docs--github-action.md--L42.yml:50 is
# docs/github-action.md line 50.
#
# actionlint runs shellcheck on run: scripts when shellcheck is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.7.12
bin="$PWD/.cache/bin/actionlint"
if ! [ -x "$bin" ] || [ "$("$bin" -version | head -n 1)" != "$version" ]; then
  echo "actionlint: installing $version into .cache/bin" >&2
  GOBIN="$PWD/.cache/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flows="$tmp/.github/workflows"
mkdir -p "$flows"
# actionlint resolves local actions only inside a git project; .git may be a file.
touch "$tmp/.git"
cp action.yml "$tmp/"
if [ -f Dockerfile ]; then
  cp Dockerfile "$tmp/"
fi

workflows=0
for f in .github/workflows/*.yml .github/workflows/*.yaml; do
  [ -e "$f" ] || continue
  cp "$f" "$flows/"
  workflows=$((workflows + 1))
done

docs=(README.md)
if [ -d docs ]; then
  while IFS= read -r -d '' f; do
    docs+=("$f")
  done < <(find docs -name '*.md' -print0 | sort -z)
fi

examples=0
for f in "${docs[@]}"; do
  [ -f "$f" ] || continue
  n=$(awk -v out="$flows" -v src="$f" '
    function flush(   name, i) {
      if (body ~ /(^|\n)on:/ && body ~ /(^|\n)jobs:/) {
        name = src
        gsub("/", "--", name)
        name = out "/" name "--L" start ".yml"
        for (i = 0; i < start; i++) printf "\n" > name
        printf "%s", body > name
        close(name)
        count++
      }
    }
    !inblock && /^[ ]*```[ ]*ya?ml[ ]*$/ {
      inblock = 1; start = NR; body = ""
      indent = index($0, "`") - 1
      next
    }
    inblock && /^[ ]*```[ ]*$/ { flush(); inblock = 0; next }
    inblock {
      line = $0
      for (i = 0; i < indent && substr(line, 1, 1) == " "; i++) line = substr(line, 2)
      body = body line "\n"
    }
    END { print count + 0 }
  ' "$f")
  examples=$((examples + n))
done

# Examples name the published action; lint them against this action.yml.
for f in "$flows"/*--L*.yml; do
  [ -e "$f" ] || continue
  sed -i 's#\(uses:[[:space:]]*\)meshgate/meshgate@[^[:space:]]*#\1./#' "$f"
done

echo "actionlint $version: $workflows workflow(s) in .github/workflows, $examples example(s) from README.md and docs/" >&2
cd "$tmp"
"$bin" -no-color
