// Package suggest finds what a misspelt name most likely meant, for the
// "did you mean" of config fields, rule ids, Secret names, commands and
// flags.
package suggest

import "strings"

// Closest returns the candidate a misspelt name most likely meant: one
// that equals it but for case, '-' and '_'; else the nearest at most two
// edits away and less than half its own length; else the only candidate
// the name (of three characters or more) begins; "" when none is.
func Closest(name string, candidates []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(s))
	}
	best, bestDist := "", 3
	var prefixed []string
	for _, c := range candidates {
		if norm(c) == norm(name) {
			return c
		}
		if dist := Distance(name, c); dist < bestDist && dist < len(c)/2 {
			best, bestDist = c, dist
		}
		if len(name) >= 3 && strings.HasPrefix(c, name) {
			prefixed = append(prefixed, c)
		}
	}
	if best == "" && len(prefixed) == 1 {
		return prefixed[0]
	}
	return best
}

// Distance is the edit distance of two strings in bytes, where swapping
// two neighbours counts as one edit, as typing them in the wrong order is
// one slip (optimal string alignment).
func Distance(a, b string) int {
	// rows i-2, i-1 and i of the table.
	before, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], before[j-2]+1)
			}
		}
		before, prev, cur = prev, cur, before
	}
	return prev[len(b)]
}

// Related is Closest for a name that may be a shortened or lengthened
// form of what it meant (a Secret key "password" for "pass"): Closest's
// answer, else the only candidate of three characters or more that the
// name begins with.
func Related(name string, candidates []string) string {
	if c := Closest(name, candidates); c != "" {
		return c
	}
	var found []string
	for _, c := range candidates {
		if len(c) >= 3 && c != name && strings.HasPrefix(name, c) {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return ""
}
