// Package suggest finds what a misspelt name most likely meant, for the
// "did you mean" of config fields, rule ids, Secret names, commands and
// flags.
package suggest

import "strings"

// Closest returns the candidate a misspelt name most likely meant: one
// that equals it but for case, '-' and '_', else the nearest at most two
// edits away and less than half its own length; "" when none is.
func Closest(name string, candidates []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(s))
	}
	best, bestDist := "", 3
	for _, c := range candidates {
		if norm(c) == norm(name) {
			return c
		}
		if dist := Distance(name, c); dist < bestDist && dist < len(c)/2 {
			best, bestDist = c, dist
		}
	}
	return best
}

// Distance is the Levenshtein distance of two strings, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
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
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
