package publish

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-github/v56/github"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

// Check run limits.
const (
	// maxAnnotationsPerRequest: "The Checks API limits the number of
	// annotations to a maximum of 50 per API request. To create more than
	// 50 annotations, you have to make multiple requests to the Update a
	// check run endpoint" (output.annotations maxItems 50).
	maxAnnotationsPerRequest = 50
	// maxAnnotations bounds the PATCHes of one run (20 requests); the rest
	// are counted in the check run's text and listed in its summary.
	maxAnnotations = 1000
	// maxCheckRunText: output.summary and output.text have maxLength 65535
	// (counted here in bytes, which never undercounts).
	maxCheckRunText = 65535
	// maxAnnotationTitle: "The maximum size is 255 characters."
	maxAnnotationTitle = 255
	// maxAnnotationMessage: message and raw_details: "The maximum size is
	// 64 KB."
	maxAnnotationMessage = 64 << 10
	// maxWriteAttempts bounds the attempts of a write that cannot simply be
	// repeated (a create, an annotations PATCH): each retry first checks
	// whether the previous attempt landed.
	maxWriteAttempts = 3
)

// Check run statuses.
const (
	statusInProgress = "in_progress"
	statusCompleted  = "completed"
)

func (p *API) externalID() string { return p.t.ExternalID }

// createCheckRun creates the check run in_progress and records its id.
func (p *API) createCheckRun(ctx context.Context) error {
	opts := github.CreateCheckRunOptions{
		Name:       p.t.CheckName,
		HeadSHA:    p.t.HeadSHA,
		ExternalID: github.String(p.externalID()),
		Status:     github.String(statusInProgress),
		StartedAt:  &github.Timestamp{Time: p.now().UTC()},
	}
	if u := p.t.RunURL; u != "" {
		opts.DetailsURL = github.String(u)
	}
	var created *github.CheckRun
	err := p.writeOnce(ctx,
		func(ctx context.Context) error {
			cr, _, err := p.gh.Checks.CreateCheckRun(ctx, p.t.Owner, p.t.Repo, opts)
			created = cr
			return err
		},
		func(ctx context.Context) (bool, error) {
			cr, err := p.findCheckRun(ctx)
			created = cr
			return cr != nil, err
		})
	if err != nil {
		return err
	}
	p.checkRunID = created.GetID()
	p.checkRunURL = created.GetHTMLURL()
	return nil
}

// findCheckRun finds this process's check run by name, commit and
// external id.
func (p *API) findCheckRun(ctx context.Context) (*github.CheckRun, error) {
	opt := &github.ListCheckRunsOptions{CheckName: github.String(p.t.CheckName), Filter: github.String("all"),
		ListOptions: github.ListOptions{PerPage: 100}}
	for {
		res, resp, err := p.gh.Checks.ListCheckRunsForRef(ctx, p.t.Owner, p.t.Repo, p.t.HeadSHA, opt)
		if err != nil {
			return nil, err
		}
		for _, cr := range res.CheckRuns {
			if cr.GetExternalID() == p.externalID() {
				return cr, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opt.Page = resp.NextPage
	}
}

// writeOnce performs a write that must not be duplicated. The transport
// does not repeat it after an ambiguous failure (5xx, no answer); here
// found tells whether that attempt landed before it is tried again.
func (p *API) writeOnce(ctx context.Context, write func(context.Context) error, found func(context.Context) (bool, error)) error {
	var err error
	for attempt := 1; attempt <= maxWriteAttempts; attempt++ {
		cctx, cancel := context.WithTimeout(withoutAmbiguousRetry(ctx), callTimeout)
		err = write(cctx)
		cancel()
		if err == nil || !ambiguous(ctx, err) {
			return err
		}
		if werr := p.sleep(ctx, baseBackoff<<(attempt-1)+p.jitter(baseBackoff)); werr != nil {
			return err
		}
		fctx, cancel := context.WithTimeout(ctx, callTimeout)
		ok, ferr := found(fctx)
		cancel()
		if ok {
			return nil
		}
		if ferr != nil {
			// Unknown whether the write landed: not writing again is the
			// lesser harm.
			return err
		}
	}
	return err
}

// publishCheckRun completes the check run with the report, its annotations
// batched over PATCHes. It reports whether findings need the
// workflow-command fallback, and which: all of them when the check run
// could not be completed, the located findings it holds no annotation for
// when GitHub refused some annotations.
func (p *API) publishCheckRun(ctx context.Context, rep report.Report, delta deltaInfo, inline inlineOutcome) (bool, []finding.Finding) {
	if p.checkRunID == 0 {
		if err := p.createCheckRun(ctx); err != nil {
			p.noteFailure(err, permChecks, "create the check run")
			return true, rep.Findings
		}
	}
	p.res.CheckRunID = p.checkRunID
	p.res.CheckRunURL = p.checkRunURL

	annotations, located, unlocated, overflow := p.annotations(rep)
	// The comment's verdict and body, pointing to the job summary when cut.
	o := p.markdownOptions(delta)
	title := capitalized(report.Verdict(rep, o))
	o.MaxBytes = maxCheckRunText
	summary := report.Markdown(rep, o)
	text := checkText(rep, unlocated, overflow, inline)

	batches := chunk(annotations, maxAnnotationsPerRequest)
	if len(batches) == 0 {
		batches = [][]*github.CheckRunAnnotation{nil}
	}
	posted := 0
	for i, batch := range batches {
		opts := github.UpdateCheckRunOptions{
			Name: p.t.CheckName,
			Output: &github.CheckRunOutput{
				Title:       github.String(title),
				Summary:     github.String(summary),
				Text:        github.String(text),
				Annotations: batch,
			},
		}
		if i == len(batches)-1 {
			opts.Status = github.String(statusCompleted)
			opts.Conclusion = github.String(p.res.Conclusion)
			opts.CompletedAt = &github.Timestamp{Time: p.now().UTC()}
		}
		want := posted + len(batch)
		var err error
		if len(batch) == 0 {
			// Without annotations the PATCH is idempotent: the transport
			// retries it.
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			_, _, err = p.gh.Checks.UpdateCheckRun(cctx, p.t.Owner, p.t.Repo, p.checkRunID, opts)
			cancel()
		} else {
			// Annotations are appended: a repeated PATCH would post them
			// twice, so a retry first counts what the check run holds.
			err = p.writeOnce(ctx,
				func(ctx context.Context) error {
					_, _, err := p.gh.Checks.UpdateCheckRun(ctx, p.t.Owner, p.t.Repo, p.checkRunID, opts)
					return err
				},
				func(ctx context.Context) (bool, error) {
					cr, _, err := p.gh.Checks.GetCheckRun(ctx, p.t.Owner, p.t.Repo, p.checkRunID)
					if err != nil {
						return false, err
					}
					return cr.GetOutput().GetAnnotationsCount() >= want, nil
				})
		}
		if err != nil {
			if s := statusOf(err); len(batch) > 0 && (s == http.StatusBadRequest || s == http.StatusUnprocessableEntity) {
				// GitHub refused the request's content, an annotation it
				// will not take: complete the run without annotations, so
				// it does not stay in progress, and annotate the rest in
				// the log. A different request, not a repeat.
				p.res.Annotations = posted
				return p.completeWithoutAnnotations(ctx, err, title, summary, text, located[posted:], rep.Findings)
			}
			p.noteFailure(err, permChecks, "update the check run")
			return true, rep.Findings
		}
		posted = want
		p.res.AnnotationRequests++
	}
	p.res.Annotations = posted
	return false, nil
}

// completeWithoutAnnotations completes the check run after GitHub refused
// an annotations PATCH (refusal), with a note in its text; rest are the
// findings it holds no annotation for. It returns what publishCheckRun
// does.
func (p *API) completeWithoutAnnotations(ctx context.Context, refusal error, title, summary, text string, rest, all []finding.Finding) (bool, []finding.Finding) {
	note := fmt.Sprintf("GitHub refused the annotations (%s): %s annotated in the workflow run's log instead.\n\n",
		errorText(refusal), report.Plural(len(rest), "finding is", "findings are"))
	opts := github.UpdateCheckRunOptions{
		Name:        p.t.CheckName,
		Status:      github.String(statusCompleted),
		Conclusion:  github.String(p.res.Conclusion),
		CompletedAt: &github.Timestamp{Time: p.now().UTC()},
		Output: &github.CheckRunOutput{
			Title:   github.String(title),
			Summary: github.String(summary),
			Text:    github.String(cutLines(note+text, maxCheckRunText)),
		},
	}
	// Without annotations the PATCH is idempotent: the transport retries it.
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	_, _, err := p.gh.Checks.UpdateCheckRun(cctx, p.t.Owner, p.t.Repo, p.checkRunID, opts)
	cancel()
	if err != nil {
		p.noteFailure(refusal, permChecks, "annotate the check run")
		p.noteFailure(err, permChecks, "complete the check run")
		return true, all
	}
	p.res.Problems = append(p.res.Problems, fmt.Sprintf("GitHub refused the check run's annotations (%s): "+
		"the check run is completed without them, and %s annotated with workflow commands instead",
		errorText(refusal), report.Plural(len(rest), "finding is", "findings are")))
	return true, rest
}

// annotations turns located findings into check run annotations (at most
// maxAnnotations), located being their findings; unlocated counts
// findings without a file, overflow those beyond the cap. Findings a
// baseline marked new come first: the cap, and the reader, reach them
// first.
func (p *API) annotations(rep report.Report) (out []*github.CheckRunAnnotation, located []finding.Finding, unlocated, overflow int) {
	fs := slices.Clone(rep.Findings)
	slices.SortStableFunc(fs, func(a, b finding.Finding) int { return cmp.Compare(newRank(b), newRank(a)) })
	for _, f := range fs {
		if f.File == "" {
			unlocated++
			continue
		}
		if len(out) == maxAnnotations {
			overflow++
			continue
		}
		file, line, text := report.Annotation(f)
		if line < 1 {
			line = 1 // required by the API: the file's first line
		}
		a := &github.CheckRunAnnotation{
			Path:            github.String(file),
			StartLine:       github.Int(line),
			EndLine:         github.Int(line),
			AnnotationLevel: github.String(report.Style(f.Severity).Annotation),
			Title:           github.String(cut(annotationTitle(f), maxAnnotationTitle)),
			Message:         github.String(cut(text, maxAnnotationMessage)),
		}
		if fix := ruleFix(f.Rule); fix != "" {
			a.RawDetails = github.String(cut("How to fix: "+fix, maxAnnotationMessage))
		}
		out = append(out, a)
		located = append(located, f)
	}
	return out, located, unlocated, overflow
}

// newRank orders findings marked new before the others.
func newRank(f finding.Finding) int {
	if f.New != nil && *f.New {
		return 1
	}
	return 0
}

func annotationTitle(f finding.Finding) string {
	t := "meshgate " + f.Rule
	if f.Environment != "" {
		t += " (" + f.Environment + ")"
	}
	return t
}

// ruleFix is the table's fix for a rule, "" for an unknown one.
func ruleFix(id string) string {
	r, _ := check.LookupRule(id)
	return r.Fix
}

// checkText is the check run's details: what was not annotated and why,
// and how to fix each rule that fired.
func checkText(rep report.Report, unlocated, overflow int, inline inlineOutcome) string {
	var b strings.Builder
	if unlocated > 0 {
		fmt.Fprintf(&b, "%s no file to annotate (an environment that did not render, for instance); the summary lists them.\n\n",
			report.Plural(unlocated, "finding has", "findings have"))
	}
	if overflow > 0 {
		fmt.Fprintf(&b, "%s not annotated: meshgate posts at most %d annotations per run; the summary lists them.\n\n",
			report.Plural(overflow, "finding is", "findings are"), maxAnnotations)
	}
	if inline.overflow > 0 {
		fmt.Fprintf(&b, "%s on changed lines got no inline comment: meshgate posts at most %d inline comments per run.\n\n",
			report.Plural(inline.overflow, "gap", "gaps"), maxInlineComments)
	}
	seen := map[string]bool{}
	var rules []check.RuleInfo
	for _, f := range rep.Findings {
		if seen[f.Rule] {
			continue
		}
		seen[f.Rule] = true
		if ri, ok := check.LookupRule(f.Rule); ok {
			rules = append(rules, ri)
		}
	}
	if len(rules) > 0 {
		b.WriteString("### Rules\n")
		for _, r := range rules {
			fmt.Fprintf(&b, "\n**`%s`**: %s\n\n- Why: %s\n- Fix: %s\n", r.ID, r.Description, r.Why, r.Fix)
		}
	}
	return cutLines(b.String(), maxCheckRunText)
}

func chunk[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > 0 {
		k := min(n, len(s))
		out = append(out, s[:k])
		s = s[k:]
	}
	return out
}

// capitalized is s with its first letter in upper case: the verdict as a
// title.
func capitalized(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// cut shortens s to at most n bytes on a rune boundary, ending with "…".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	s = s[:n-len(ell)]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + ell
}

// cutLines shortens s to at most n bytes at a line end.
func cutLines(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[:i+1]
	}
	return cut(s, n)
}
