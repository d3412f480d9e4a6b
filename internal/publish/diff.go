package publish

import (
	"strconv"
	"strings"
)

// addedLines returns the new-side line numbers a unified diff patch (the
// "patch" of a pull request file) adds or changes: the lines a review
// comment on the RIGHT side can point at and that the pull request wrote.
// Malformed hunk headers end the parse; what was read so far is kept.
func addedLines(patch string) map[int]bool { return parsePatch(patch).added }

// patchLines are the new-side lines of a file's patch: those it adds, and
// the hunk of each line the patch shows (added or context), numbered from
// 1. A multi-line review comment must lie within one hunk.
type patchLines struct {
	added map[int]bool
	hunk  map[int]int
}

// inOneHunk reports whether lines from..to are all shown by one hunk.
func (p patchLines) inOneHunk(from, to int) bool {
	h, ok := p.hunk[from]
	for l := from; ok && l <= to; l++ {
		ok = p.hunk[l] == h
	}
	return ok
}

func parsePatch(patch string) patchLines {
	out := patchLines{added: map[int]bool{}, hunk: map[int]int{}}
	line, hunk := 0, 0
	for _, l := range strings.Split(patch, "\n") {
		if strings.HasPrefix(l, "@@") {
			start, ok := hunkNewStart(l)
			if !ok {
				return out
			}
			line = start
			hunk++
			continue
		}
		if hunk == 0 {
			continue
		}
		switch {
		case strings.HasPrefix(l, "-"), strings.HasPrefix(l, `\`):
			// Old side only, or "\ No newline at end of file".
			continue
		case strings.HasPrefix(l, "+"):
			out.added[line] = true
		}
		out.hunk[line] = hunk
		line++
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
