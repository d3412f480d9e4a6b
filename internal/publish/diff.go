package publish

import (
	"strconv"
	"strings"
)

// addedLines returns the new-side line numbers a unified diff patch (the
// "patch" of a pull request file) adds or changes: the lines a review
// comment on the RIGHT side can point at and that the pull request wrote.
// Malformed hunk headers end the parse; what was read so far is kept.
func addedLines(patch string) map[int]bool {
	out := map[int]bool{}
	line := 0
	inHunk := false
	for _, l := range strings.Split(patch, "\n") {
		if strings.HasPrefix(l, "@@") {
			start, ok := hunkNewStart(l)
			if !ok {
				return out
			}
			line, inHunk = start, true
			continue
		}
		if !inHunk {
			continue
		}
		switch {
		case strings.HasPrefix(l, "+"):
			out[line] = true
			line++
		case strings.HasPrefix(l, "-"), strings.HasPrefix(l, `\`):
			// Old side only, or "\ No newline at end of file".
		default:
			line++
		}
	}
	return out
}

// hunkNewStart reads c from "@@ -a,b +c,d @@ section".
func hunkNewStart(header string) (int, bool) {
	rest, ok := strings.CutPrefix(header, "@@ -")
	if !ok {
		return 0, false
	}
	_, rest, ok = strings.Cut(rest, " +")
	if !ok {
		return 0, false
	}
	end := strings.IndexAny(rest, ", ")
	if end < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(rest[:end])
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
