package report

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
)

// mdGap is one gap as a reviewer reads it: the findings of one rule at one
// source location with one message, in one or more environments. Messages
// count as one when they differ only by the environment's own names (its
// name, the workload's namespace and name, kustomize's hash suffixes).
type mdGap struct {
	fs []finding.Finding // in the report's environment order
}

// mdGroup is one numbered entry: a gap, or the gaps of one cause (one fix
// for all of them).
type mdGroup struct {
	num  int
	gaps []*mdGap
}

func (g *mdGroup) head() finding.Finding { return g.gaps[0].fs[0] }

// isNew: a baseline marked the entry's findings new.
func (g *mdGroup) isNew() bool { return isNew(g.head()) }

func (g *mdGroup) worst() finding.Severity {
	w := finding.Severity("")
	for _, gap := range g.gaps {
		for _, f := range gap.fs {
			if f.Severity.Rank() > w.Rank() {
				w = f.Severity
			}
		}
	}
	return w
}

// mdGroups gathers findings into entries: one per gap, the gaps of one
// cause (and rule and new/existing mark) together. Entries are ordered
// worst severity first, then by the first environment they occur in, then
// by location; gaps within a cause by location.
func mdGroups(envOrder []string, fs []finding.Finding) []*mdGroup {
	at := map[string]int{}
	for i, e := range envOrder {
		at[e] = i
	}
	fs = slices.Clone(fs)
	slices.SortStableFunc(fs, func(a, b finding.Finding) int {
		return cmp.Or(cmp.Compare(at[a.Environment], at[b.Environment]), compareLess(a, b))
	})
	gapAt := map[string]*mdGap{}
	var gaps []*mdGap
	for _, f := range fs {
		k := strings.Join([]string{f.Rule, f.Policy, f.Cause, mark(f), location(f), f.Reason, mdSameMessage(f)}, "\x00")
		if g := gapAt[k]; g != nil {
			g.fs = append(g.fs, f)
			continue
		}
		gapAt[k] = &mdGap{fs: []finding.Finding{f}}
		gaps = append(gaps, gapAt[k])
	}
	var groups []*mdGroup
	causeAt := map[string]*mdGroup{}
	for _, g := range gaps {
		f := g.fs[0]
		if f.Cause == "" {
			groups = append(groups, &mdGroup{gaps: []*mdGap{g}})
			continue
		}
		k := f.Cause + "\x00" + f.Rule + "\x00" + mark(f)
		if c := causeAt[k]; c != nil {
			c.gaps = append(c.gaps, g)
			continue
		}
		causeAt[k] = &mdGroup{gaps: []*mdGap{g}}
		groups = append(groups, causeAt[k])
	}
	slices.SortStableFunc(groups, func(a, b *mdGroup) int {
		return cmp.Or(
			cmp.Compare(b.worst().Rank(), a.worst().Rank()),
			cmp.Compare(at[a.head().Environment], at[b.head().Environment]),
			cmp.Compare(a.head().File, b.head().File),
			cmp.Compare(a.head().Line, b.head().Line),
		)
	})
	return groups
}

func compareLess(a, b finding.Finding) int {
	switch {
	case finding.Less(a, b):
		return -1
	case finding.Less(b, a):
		return 1
	}
	return 0
}

// mark is "new", "existing" or "" (no baseline).
func mark(f finding.Finding) string {
	if f.New == nil {
		return ""
	}
	if *f.New {
		return "new"
	}
	return "existing"
}

// kustomizeHash is the suffix kustomize appends to generated names: ten
// characters of its hash alphabet.
var kustomizeHash = regexp.MustCompile(`-[2456789bcdfghkmt]{10}\b`)

// mdSameMessage is f's message with the environment's own names set aside,
// so that one gap in several environments is one entry: a whole name
// (letters, digits, '_', '-', '.') that is the environment's, the
// namespace or the workload's name, and kustomize's hash suffixes.
func mdSameMessage(f finding.Finding) string {
	own := map[string]string{}
	for _, n := range []string{f.Environment, f.Namespace, f.Name, check.StripEnv(f.Name, f.Environment)} {
		if len(n) >= 3 {
			own[n] = "\x01"
		}
	}
	s := kustomizeHash.ReplaceAllString(f.Message, "-\x01hash")
	var out strings.Builder
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && nameByte(s[i]) {
			continue
		}
		if word := s[start:i]; own[word] != "" {
			out.WriteString(own[word])
		} else {
			out.WriteString(word)
		}
		if i < len(s) {
			out.WriteByte(s[i])
		}
		start = i + 1
	}
	return out.String()
}

// nameByte: b may be part of a Kubernetes name.
func nameByte(b byte) bool {
	return b == '_' || b == '-' || b == '.' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// mdEnvList names environments for an entry: "**prod**, **staging**"; a
// family of environments that all share the gap as "all 10 `dev-*`".
func mdEnvList(envs, all []string) string {
	if len(envs) > 2 && len(envs) == len(all) {
		return fmt.Sprintf("all %d environments", len(all))
	}
	family := func(e string) string {
		if i := strings.IndexAny(e, "-_."); i > 0 {
			return e[:i+1]
		}
		return ""
	}
	size := map[string]int{}
	for _, e := range all {
		size[family(e)]++
	}
	have := map[string]int{}
	for _, e := range envs {
		have[family(e)]++
	}
	var out []string
	done := map[string]bool{}
	for _, e := range envs {
		fam := family(e)
		if fam != "" && size[fam] > 2 && have[fam] == size[fam] {
			if !done[fam] {
				done[fam] = true
				out = append(out, fmt.Sprintf("all %d %s", size[fam], mdSpan(fam+"*")))
			}
			continue
		}
		out = append(out, "**"+mdInline(e)+"**")
	}
	return strings.Join(out, ", ")
}

// mdEnvsOf is the environments of the findings, in order, each once.
func mdEnvsOf(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Environment) {
			out = append(out, f.Environment)
		}
	}
	return out
}

// mdObjects names the objects of a gap: once when every environment has
// the same kind and name (namespaces aside), else per environment (each
// false).
func mdObjects(fs []finding.Finding) (names string, once bool) {
	if fs[0].Kind == "" {
		return "", true
	}
	same, sameNS := true, true
	base := check.StripEnv(fs[0].Name, fs[0].Environment)
	for _, f := range fs[1:] {
		same = same && f.Kind == fs[0].Kind && check.StripEnv(f.Name, f.Environment) == base && f.Container == fs[0].Container
		sameNS = sameNS && f.Namespace == fs[0].Namespace && f.Name == fs[0].Name
	}
	with := func(f finding.Finding, name string) string {
		s := mdSpan(f.Kind + " " + name)
		if f.Container != "" {
			s += ", container " + mdSpan(f.Container)
		}
		return s
	}
	switch {
	case same && sameNS:
		return with(fs[0], qualified(fs[0])), true
	case same:
		return with(fs[0], base), true
	}
	var parts []string
	for _, f := range fs[:min(len(fs), mdMaxObjects)] {
		parts = append(parts, mdInline(f.Environment)+": "+with(f, qualified(f)))
	}
	if n := len(fs) - mdMaxObjects; n > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", n))
	}
	return strings.Join(parts, " · "), false
}

// mdMaxObjects is how many objects an entry names: a template line that
// renders a hundred workloads is one entry of bounded length.
const mdMaxObjects = 10

// qualified is "namespace/name", or "name" for a cluster object.
func qualified(f finding.Finding) string {
	if f.Namespace == "" {
		return f.Name
	}
	return f.Namespace + "/" + f.Name
}

// mdLocation is a finding's location, a link to its line at the head
// commit when the report knows where the sources are.
func mdLocation(f finding.Finding, o Options) string {
	loc := location(f)
	if loc == "" {
		return ""
	}
	if u := sourceURL(o.SourceURL, f.File, f.Line); u != "" {
		return "[" + mdSpan(loc) + "](" + u + ")"
	}
	return mdSpan(loc)
}

// sourceURL is the page of file at line under base
// (https://github.com/OWNER/REPO/blob/SHA), "" without a base or for a
// path outside the repository. A location inside a vendored chart archive
// (charts/x.tgz#templates/a.yaml) links the archive.
func sourceURL(base, file string, line int) string {
	if base == "" || file == "" || strings.HasPrefix(file, "/") || file == ".." || strings.HasPrefix(file, "../") {
		return ""
	}
	if archive, _, ok := finding.SplitArchive(file); ok {
		file, line = archive, 0
	}
	segs := strings.Split(file, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := strings.TrimSuffix(base, "/") + "/" + strings.Join(segs, "/")
	if line > 0 {
		u += fmt.Sprintf("#L%d", line)
	}
	return u
}
