package fix

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

// Patch is proven fixes applied together.
type Patch struct {
	// Fixes are those applied; Removed the findings they remove together.
	Fixes   []Fix
	Removed []finding.Finding
	// After is the report with the patch applied.
	After report.Report

	files []*fileChange
}

// fileChange is one file's edits.
type fileChange struct {
	path string
	src  *source
	ops  []op
}

// Patch combines the session's fixes, proven again together: all of them
// when their edits hold together, else as many as do, taken in order,
// each added only if the patch with it still removes every gap its fixes
// claim and adds none.
func (s *Session) Patch(ctx context.Context) Patch {
	if s.pr == nil || len(s.Fixes) == 0 {
		var after report.Report
		if s.pr != nil {
			after = s.pr.baseRep
		}
		return Patch{After: after}
	}
	if p, ok := s.try(ctx, s.Fixes); ok {
		return p
	}
	best := Patch{After: s.pr.baseRep}
	var kept []Fix
	for _, fx := range s.Fixes {
		if p, ok := s.try(ctx, append(append([]Fix(nil), kept...), fx)); ok {
			kept, best = append(kept, fx), p
		}
	}
	return best
}

// try proves fixes together.
func (s *Session) try(ctx context.Context, fixes []Fix) (Patch, bool) {
	p := Patch{Fixes: fixes}
	byFile := map[string]*fileChange{}
	var targets []string
	for _, fx := range fixes {
		fc := byFile[fx.Suggestion.File]
		if fc == nil {
			fc = &fileChange{path: fx.Suggestion.File, src: fx.src}
			byFile[fc.path] = fc
			p.files = append(p.files, fc)
		}
		fc.ops = append(fc.ops, fx.ops...)
		for _, t := range fx.Targets {
			targets = append(targets, t.Fingerprint)
		}
	}
	files := map[string][]byte{}
	for _, fc := range p.files {
		lines, err := apply(fc.src.lines, fc.ops)
		if err != nil {
			return Patch{}, false
		}
		files[fc.path] = fc.src.bytes(lines)
	}
	v := s.pr.prove(ctx, files, targets)
	if !v.ok {
		return Patch{}, false
	}
	sort.Slice(p.files, func(i, j int) bool { return p.files[i].path < p.files[j].path })
	p.Removed, p.After = v.removed, v.after
	return p, true
}

// Write writes the patched files under root.
func (p Patch) Write(root string) ([]string, error) {
	var written []string
	for _, fc := range p.files {
		lines, err := apply(fc.src.lines, fc.ops)
		if err != nil {
			return written, err
		}
		name := filepath.Join(root, filepath.FromSlash(fc.path))
		fi, err := os.Stat(name)
		if err != nil {
			return written, err
		}
		if err := os.WriteFile(name, fc.src.bytes(lines), fi.Mode().Perm()); err != nil {
			return written, err
		}
		written = append(written, fc.path)
	}
	return written, nil
}

// diffContext is the unchanged lines a hunk shows around a change, as
// diff -u and git do.
const diffContext = 3

// Diff writes the patch as a unified diff with a/ and b/ paths, which
// `git apply` and `patch -p1` apply from the repository root.
func (p Patch) Diff(w io.Writer) error {
	var b strings.Builder
	for _, fc := range p.files {
		fmt.Fprintf(&b, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", fc.path, fc.path, fc.path, fc.path)
		writeHunks(&b, fc.src, fc.ops)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// region is one change: old lines [o0, o1) became new lines [n0, n1).
type region struct{ o0, o1, n0, n1 int }

// regionsOf are the changes of ops, in order.
func regionsOf(ops []op) ([]region, [][]string) {
	sorted := append([]op(nil), ops...)
	sort.SliceStable(sorted, func(a, b int) bool {
		if sorted[a].start != sorted[b].start {
			return sorted[a].start < sorted[b].start
		}
		return sorted[a].end-sorted[a].start < sorted[b].end-sorted[b].start
	})
	var rs []region
	var added [][]string
	offset := 0
	for _, o := range sorted {
		n0 := o.start + offset
		offset += len(o.lines) - (o.end - o.start)
		if k := len(rs) - 1; k >= 0 && rs[k].o1 == o.start {
			// Contiguous: one change, its old lines before its new ones.
			rs[k].o1, rs[k].n1 = o.end, n0+len(o.lines)
			added[k] = append(append([]string(nil), added[k]...), o.lines...)
			continue
		}
		rs = append(rs, region{o.start, o.end, n0, n0 + len(o.lines)})
		added = append(added, o.lines)
	}
	return rs, added
}

// writeHunks writes the hunks of one file's changes.
func writeHunks(b *strings.Builder, src *source, ops []op) {
	rs, added := regionsOf(ops)
	eol := "\n"
	if src.crlf {
		eol = "\r\n"
	}
	old := src.lines
	for i := 0; i < len(rs); {
		j := i
		for j+1 < len(rs) && rs[j+1].o0-rs[j].o1 <= 2*diffContext {
			j++
		}
		from := max(0, rs[i].o0-diffContext)
		to := min(len(old), rs[j].o1+diffContext)
		nfrom := rs[i].n0 - (rs[i].o0 - from)
		nlen := (to - from) + (rs[j].n1 - rs[j].o1) - (rs[i].n0 - rs[i].o0)
		var body strings.Builder
		cur := from
		line := func(prefix, text string, at int) {
			body.WriteString(prefix + text + eol)
			if !src.eol && at == len(old)-1 {
				body.WriteString("\\ No newline at end of file\n")
			}
		}
		for k := i; k <= j; k++ {
			for ; cur < rs[k].o0; cur++ {
				line(" ", old[cur], cur)
			}
			for ; cur < rs[k].o1; cur++ {
				line("-", old[cur], cur)
			}
			for _, l := range added[k] {
				line("+", l, -1)
			}
		}
		for ; cur < to; cur++ {
			line(" ", old[cur], cur)
		}
		fmt.Fprintf(b, "@@ -%s +%s @@\n%s", hunkRange(from, to-from), hunkRange(nfrom, nlen), body.String())
		i = j + 1
	}
}

// hunkRange is a hunk header's "start,count" (start 0-based here).
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// Describe says what the patch does, one line per fix with the gaps it is
// for, and which gaps have a known edit that is not suggested, and why.
func (p Patch) Describe(w io.Writer, s *Session) error {
	var b strings.Builder
	switch len(p.Fixes) {
	case 0:
		b.WriteString("meshgate: no fix to suggest\n")
	default:
		verb := "they remove %s and add none"
		if len(p.Fixes) == 1 {
			verb = "it removes %s and adds none"
		}
		fmt.Fprintf(&b, "meshgate: %s, proven by checking every environment again: "+verb+"\n",
			report.Plural(len(p.Fixes), "fix", "fixes"), report.Plural(len(p.Removed), "gap", "gaps"))
	}
	for _, fx := range p.Fixes {
		sug := fx.Suggestion
		where := fmt.Sprintf("%s:%d", sug.File, sug.StartLine)
		if sug.EndLine > sug.StartLine {
			where += fmt.Sprintf("-%d", sug.EndLine)
		}
		fmt.Fprintf(&b, "  %s: %s (%s)\n", where, sug.Title, gapsOf(fx.Targets))
	}
	if s != nil && len(s.Advised) > 0 {
		fmt.Fprintf(&b, "meshgate: %s with a known edit that is not suggested:\n", report.Plural(len(s.Advised), "gap", "gaps"))
		for _, f := range s.Advised {
			fmt.Fprintf(&b, "  %s:%d: %s in %s: %s\n", f.File, f.Line, f.Rule, f.Environment, f.Advice)
		}
	}
	if s != nil && s.Skipped > 0 {
		fmt.Fprintf(&b, "meshgate: %s left unproven (at most %d are proven in one run)\n", report.Plural(s.Skipped, "edit", "edits"), maxProofs)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// gapsOf names findings by rule and environment: "mesh-env in shop-prod,
// mesh-env in prod".
func gapsOf(fs []finding.Finding) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Rule+" in "+f.Environment)
	}
	return strings.Join(parts, ", ")
}

// Run is `meshgate fix` after the check: it proves the report's fixes,
// combines them, says what they do on stderr, and prints them as a diff
// on stdout or, with write, writes them. It returns the report as it is
// with the fixes applied.
func Run(ctx context.Context, plan *engine.Plan, rep report.Report, write bool, stdout, stderr io.Writer) (report.Report, error) {
	s, err := Start(ctx, plan, &rep)
	if err != nil {
		return rep, err
	}
	defer s.Close()
	p := s.Patch(ctx)
	if err := p.Describe(stderr, s); err != nil {
		return rep, err
	}
	if !write {
		err = p.Diff(stdout)
	} else {
		var written []string
		written, err = p.Write(plan.Config.Root)
		if len(written) > 0 {
			fmt.Fprintf(stderr, "meshgate: wrote %s\n", strings.Join(written, ", "))
		}
	}
	if len(p.Fixes) == 0 {
		return rep, err
	}
	return p.After, err
}
