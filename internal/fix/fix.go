// Package fix turns the remedies the checks know (finding.Remedy) into
// one-click fixes, and offers only those it has proven: each edit is
// applied to a copy of the repository's inputs, every environment is
// checked again (those that read the edited file rendered again), and the
// edit is a fix only if its gaps are gone and no finding is new in any
// environment. A line that is a template expression is not edited: the
// fix is described in the finding's advice instead. The Action posts the
// fixes as suggested changes; `meshgate fix` prints or writes them.
package fix

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
)

// maxProofs bounds the edits proven in one run: each costs a check of
// every environment (renderings reused where the edit does not reach).
const maxProofs = 40

// maxSourceBytes bounds a file meshgate edits.
const maxSourceBytes = 4 << 20

// Fix is one proven edit.
type Fix struct {
	Suggestion finding.Suggestion
	// Targets are the findings whose remedy it is; Removed every finding
	// it removes (targets included), in report order.
	Targets, Removed []finding.Finding

	src *source
	ops []op
}

// Session holds the proven fixes of one report and the copy they were
// proven on, for combining them.
type Session struct {
	Fixes []Fix
	// Advised are the findings whose fix is described, not suggested.
	Advised []finding.Finding
	// Skipped counts the edits left unproven for maxProofs.
	Skipped int

	pr *prover
}

// Suggest proves the remedies of rep's findings and gives each finding
// its proven fix (Suggestion) or, where the line to edit is a template
// expression, the fix in words (Advice).
func Suggest(ctx context.Context, plan *engine.Plan, rep *report.Report) error {
	s, err := Start(ctx, plan, rep)
	if err != nil {
		return err
	}
	s.Close()
	return nil
}

// Start proves the remedies of rep's findings, as Suggest does, and keeps
// the copy for Patch. The caller closes the session.
func Start(ctx context.Context, plan *engine.Plan, rep *report.Report) (*Session, error) {
	s := &Session{}
	groups := s.candidates(plan.Config.Root, rep)
	if len(groups) == 0 {
		return s, nil
	}
	var files []string
	for _, g := range groups {
		files = append(files, g.sug.File)
	}
	pr, err := newProver(ctx, plan, files)
	if err != nil {
		return nil, fmt.Errorf("proving fixes: %v", err)
	}
	s.pr = pr
	for i, g := range groups {
		if i == maxProofs {
			s.Skipped = len(groups) - i
			break
		}
		v := pr.prove(ctx, g.files(), fingerprints(g.targets, rep))
		if !v.ok {
			s.refuted(rep, g, v)
			continue
		}
		fx := Fix{Suggestion: g.sug, src: g.src, ops: g.ops, Removed: v.removed}
		for _, t := range g.targets {
			sug := g.sug
			rep.Findings[t].Suggestion = &sug
			fx.Targets = append(fx.Targets, rep.Findings[t])
		}
		s.Fixes = append(s.Fixes, fx)
	}
	return s, nil
}

// Close removes the copy.
func (s *Session) Close() {
	if s.pr != nil {
		s.pr.close()
	}
}

// candidate is one edit and the findings whose remedy it is.
type candidate struct {
	sug     finding.Suggestion
	src     *source
	ops     []op
	targets []int // indexes in the report's findings
}

func (c candidate) files() map[string][]byte {
	lines, _ := apply(c.src.lines, c.ops)
	return map[string][]byte{c.sug.File: c.src.bytes(lines)}
}

func fingerprints(idx []int, rep *report.Report) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = rep.Findings[j].Fingerprint
	}
	return out
}

// candidates makes each finding's remedy an edit of its file, one
// candidate per distinct edit, in file and line order; a remedy on a
// template expression becomes the finding's advice.
func (s *Session) candidates(root string, rep *report.Report) []candidate {
	srcs := map[string]*source{}
	byKey := map[string]*candidate{}
	var out []*candidate
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if f.Remedy == nil || !editable(f.File) {
			continue
		}
		src, ok := srcs[f.File]
		if !ok {
			src = readSource(root, f.File)
			srcs[f.File] = src
		}
		if src == nil {
			continue
		}
		ops, err := src.ops(f.Remedy)
		if te, ok := err.(*templatedError); ok {
			why := "is a template expression"
			if te.cond {
				why = "writes that map under a template condition"
			}
			f.Advice = fmt.Sprintf("%s (in the template, or in the values it reads); no suggested change, as %s:%d %s", f.Remedy.Title, f.File, te.line, why)
			s.Advised = append(s.Advised, *f)
			continue
		}
		if err != nil || !src.eol && touchesEnd(ops, len(src.lines)) {
			continue
		}
		sug, ok := suggestion(f.File, src.lines, ops)
		if !ok || strings.Contains(sug.Replacement, render.RedactedText) {
			continue
		}
		sug.Title = f.Remedy.Title
		key := fmt.Sprintf("%s:%d:%d:%s", sug.File, sug.StartLine, sug.EndLine, sug.Replacement)
		if c := byKey[key]; c != nil {
			c.targets = append(c.targets, i)
			continue
		}
		c := &candidate{sug: sug, src: src, ops: ops, targets: []int{i}}
		byKey[key] = c
		out = append(out, c)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].sug.File != out[b].sug.File {
			return out[a].sug.File < out[b].sug.File
		}
		return out[a].sug.StartLine < out[b].sug.StartLine
	})
	res := make([]candidate, len(out))
	for i, c := range out {
		res[i] = *c
	}
	return res
}

// editable: a file of the repository itself, not one inside a packaged
// chart (ARCHIVE#PATH), which a suggestion cannot change.
func editable(file string) bool {
	return file != "" && !strings.Contains(file, ".tgz") && !strings.Contains(file, "#")
}

func touchesEnd(ops []op, n int) bool {
	return slices.ContainsFunc(ops, func(o op) bool { return o.end == n || o.start == n })
}

// readSource reads a repository file to edit; nil when it cannot.
func readSource(root, file string) *source {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil
	}
	defer r.Close()
	fi, err := fs.Stat(r.FS(), file)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxSourceBytes {
		return nil
	}
	b, err := r.ReadFile(file)
	if err != nil {
		return nil
	}
	return parseSource(b)
}

func orderedFindings(m map[string]finding.Finding) []finding.Finding {
	out := make([]finding.Finding, 0, len(m))
	for _, f := range m {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return finding.Less(out[i], out[j]) })
	return out
}

// refuted gives the findings of an edit that re-rendering refuted the
// reason in their advice: that the gap stays, or the finding the edit
// would add.
func (s *Session) refuted(rep *report.Report, c candidate, v verdict) {
	if !v.tried {
		return
	}
	for _, t := range c.targets {
		f := &rep.Findings[t]
		if len(v.kept) > 0 {
			f.Advice = fmt.Sprintf("no suggested change: checked again with the edit meshgate knows (%s), the gap stays; does an overlay, a values file or a template condition set it again?", f.Remedy.Title)
		} else {
			a := v.added[0]
			f.Advice = fmt.Sprintf("no suggested change: the edit that closes this gap (%s) makes %s appear in %s", f.Remedy.Title, a.Rule, a.Environment)
			if a.File != "" {
				f.Advice += fmt.Sprintf(" (%s:%d)", a.File, a.Line)
			}
			if n := len(v.added) - 1; n > 0 {
				f.Advice += fmt.Sprintf(", with %s more", report.Plural(n, "new finding", "new findings"))
			}
		}
		s.Advised = append(s.Advised, *f)
	}
}
