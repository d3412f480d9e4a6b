package publish

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/google/go-github/v56/github"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

// Inline review comments.
const (
	// maxInlineComments caps new review comments per run: GitHub's
	// secondary rate limits count content-creating requests, and a wall of
	// comments buries the review (reviewdog keeps to about 30).
	maxInlineComments = 30
	// maxInlineItemMessage keeps one line's comment readable (and within
	// the 65,536-character body limit) when many findings share it.
	maxInlineItemMessage = 500
	// inlineMarker opens every inline comment meshgate writes.
	inlineMarker = "<!-- meshgate:inline -->"
)

// fpMarker is the hidden marker ending each finding's line in an inline
// comment: <!-- meshgate:fp=FINGERPRINT env=ENV --> while open,
// <!-- meshgate:fixed=FINGERPRINT env=ENV --> once fixed.
var fpMarker = regexp.MustCompile(`<!-- meshgate:(fp|fixed)=([0-9A-Za-z]+) env=(\S+) -->`)

// inlineOutcome is what publishInline did.
type inlineOutcome struct {
	// created new comments' findings, existing findings already commented,
	// overflow findings on changed lines left out for the cap.
	created, existing, overflow int
}

// inlineGroup is one comment: the findings a changed line defines, with
// the suggested change they share, if any.
type inlineGroup struct {
	path     string
	line     int
	findings []finding.Finding
	sug      *finding.Suggestion
}

// publishInline comments on changed lines that define a failing workload,
// skipping gaps already commented, and marks comments of fixed gaps.
func (p *API) publishInline(ctx context.Context, rep report.Report) inlineOutcome {
	var out inlineOutcome
	changed, err := p.changedLines(ctx)
	if err != nil {
		p.noteFailure(err, permPullRequests, "list the pull request's files")
		return out
	}
	comments, err := p.reviewComments(ctx)
	if err != nil {
		p.noteFailure(err, permPullRequests, "list the pull request's review comments")
		return out
	}
	open := map[string]bool{}
	for _, c := range comments {
		for _, m := range fpMarker.FindAllStringSubmatch(c.GetBody(), -1) {
			if m[1] == "fp" {
				open[m[2]] = true
			}
		}
	}

	groups, overflow, existing := p.inlineGroups(rep, changed, open)
	out.overflow, out.existing = overflow, existing
	if len(groups) > 0 {
		n, left, err := p.createReview(ctx, groups)
		if err != nil {
			p.noteFailure(err, permPullRequests, "comment on the pull request's changed lines")
		} else {
			out.created = n
			out.overflow += left
			p.res.InlineCreated = n
		}
	}
	p.res.InlineOverflow = out.overflow
	p.markFixed(ctx, rep, comments)
	return out
}

// changedLines maps each file of the pull request to the lines its patch
// adds and shows.
func (p *API) changedLines(ctx context.Context) (map[string]patchLines, error) {
	files, err := p.pullRequestFiles(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]patchLines{}
	for _, f := range files {
		// No patch: a binary file or a diff too large for the API.
		if f.GetPatch() != "" {
			out[f.GetFilename()] = parsePatch(f.GetPatch())
		}
	}
	return out, nil
}

// reviewComments lists the pull request's inline comments written by
// meshgate.
func (p *API) reviewComments(ctx context.Context) ([]*github.PullRequestComment, error) {
	var out []*github.PullRequestComment
	opt := &github.PullRequestListCommentsOptions{}
	err := eachPage(ctx, &opt.ListOptions, func(ctx context.Context) ([]*github.PullRequestComment, *github.Response, error) {
		return p.gh.PullRequests.ListComments(ctx, p.t.Owner, p.t.Repo, p.t.PRNumber, opt)
	}, func(c *github.PullRequestComment) bool {
		if strings.HasPrefix(c.GetBody(), inlineMarker) {
			out = append(out, c)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// inlineFindings are the findings worth an inline comment: those at or
// above fail-on (errors when fail-on is never).
func (p *API) inlineFindings(rep report.Report) []finding.Finding {
	failOn := p.gate.FailOn
	if failOn == finding.FailOnNever {
		failOn = finding.FailOnError
	}
	return rep.Failing(failOn, p.gate.OnlyNew)
}

// inlineGroups groups the findings on changed lines not yet commented by
// line, capped at maxInlineComments groups; it returns the groups, the
// findings left out, and the findings already commented.
func (p *API) inlineGroups(rep report.Report, changed map[string]patchLines, open map[string]bool) ([]inlineGroup, int, int) {
	type key struct {
		path string
		line int
		sug  finding.Suggestion
	}
	byLine := map[key]*inlineGroup{}
	seen := map[string]bool{}
	existing := 0
	for _, f := range p.inlineFindings(rep) {
		if f.File == "" || f.Line < 1 || !changed[f.File].added[f.Line] {
			continue // a location inside a chart archive is never a changed line
		}
		fp := fingerprint(f)
		if seen[fp] {
			continue
		}
		seen[fp] = true
		if open[fp] {
			existing++
			continue
		}
		sug := postable(f, changed[f.File])
		k := key{path: f.File, line: f.Line}
		if sug != nil {
			k.sug = *sug
		}
		if byLine[k] == nil {
			byLine[k] = &inlineGroup{path: f.File, line: f.Line, sug: sug}
		}
		byLine[k].findings = append(byLine[k].findings, f)
	}
	groups := make([]inlineGroup, 0, len(byLine))
	for _, g := range byLine {
		groups = append(groups, *g)
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].path != groups[j].path {
			return groups[i].path < groups[j].path
		}
		if groups[i].line != groups[j].line {
			return groups[i].line < groups[j].line
		}
		return sugLess(groups[i].sug, groups[j].sug)
	})
	overflow := 0
	if len(groups) > maxInlineComments {
		for _, g := range groups[maxInlineComments:] {
			overflow += len(g.findings)
		}
		groups = groups[:maxInlineComments]
	}
	return groups, overflow, existing
}

// inlineBody is one line's comment; findings that would not fit in a
// comment body are left out (they are commented on a later run).
func (p *API) inlineBody(g inlineGroup) (string, int) {
	var b strings.Builder
	b.WriteString(inlineMarker + "\n")
	head := "**meshgate**: the workload defined here has a gap"
	if len(g.findings) > 1 {
		head += "s"
	}
	b.WriteString(head + " (details in the meshgate comment and check run):\n\n")
	block := suggestionBlock(g.sug)
	n := 0
	for _, f := range g.findings {
		item := inlineItem(f) + inlineFix(f, g.sug)
		if b.Len()+len(item)+len(block) > maxCommentBody {
			break
		}
		b.WriteString(item)
		n++
	}
	b.WriteString(block)
	return b.String(), n
}

// inlineFix is the line under a finding's item that says its fix in
// words: the advice, or a proven edit this comment cannot suggest (its
// lines are not all in the diff); "" when the comment suggests it.
func inlineFix(f finding.Finding, sug *finding.Suggestion) string {
	var text string
	switch s := f.Suggestion; {
	case sug != nil:
		return ""
	case s != nil:
		lines := fmt.Sprintf("%s:%d", s.File, s.StartLine)
		if s.EndLine > s.StartLine {
			lines += fmt.Sprintf("-%d", s.EndLine)
		}
		text = fmt.Sprintf("%s (%s, outside this diff); proven by checking every environment again; `meshgate fix` applies it", s.Title, lines)
	case f.Advice != "":
		text = f.Advice
	default:
		return ""
	}
	return "  - **Fix:** " + inlineText(cut(text, maxInlineItemMessage)) + "\n"
}

// postable is the finding's suggested change when the pull request's
// patch shows every line it replaces in one hunk: a suggestion is a
// multi-line comment there, which GitHub accepts only within a hunk. A
// file inside a packaged chart is never suggested.
func postable(f finding.Finding, pl patchLines) *finding.Suggestion {
	s := f.Suggestion
	if s == nil || s.File != f.File || strings.Contains(s.File, ".tgz") || strings.Contains(s.File, "#") ||
		s.StartLine < 1 || s.EndLine < s.StartLine || !pl.inOneHunk(s.StartLine, s.EndLine) {
		return nil
	}
	return s
}

// suggestionBlock is a suggested change, as GitHub shows it with a button
// that commits it: the replacement in a "suggestion" code block, fenced by
// more backticks than it holds in a row.
func suggestionBlock(s *finding.Suggestion) string {
	if s == nil {
		return ""
	}
	fence := "```"
	for strings.Contains(s.Replacement, fence) {
		fence += "`"
	}
	return fmt.Sprintf("\n**Suggested fix:** %s. meshgate checked every environment again with it: this gap is gone and no new one appears.\n\n%ssuggestion\n%s%s\n",
		inlineText(s.Title), fence, s.Replacement, fence)
}

// sugLess orders groups of one line: no suggestion first, then by the
// suggestion's lines and text.
func sugLess(a, b *finding.Suggestion) bool {
	switch {
	case a == nil || b == nil:
		return a == nil && b != nil
	case a.StartLine != b.StartLine:
		return a.StartLine < b.StartLine
	case a.EndLine != b.EndLine:
		return a.EndLine < b.EndLine
	}
	return a.Replacement < b.Replacement
}

// inlineItem is one finding's line, ending with its hidden marker.
func inlineItem(f finding.Finding) string {
	return fmt.Sprintf("- %s **%s** `%s` in **%s**: %s <!-- meshgate:fp=%s env=%s -->\n",
		report.Style(f.Severity).Icon, f.Severity, f.Rule, inlineText(f.Environment),
		inlineText(cut(report.Describe(f), maxInlineItemMessage)), fingerprint(f), url.PathEscape(f.Environment))
}

// inlineText keeps a message on one list line and out of HTML.
func inlineText(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "~", "&#126;").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// createReview posts the groups as one review (one notification instead of
// one per comment) and returns how many findings it commented and how many
// did not fit in their line's comment.
func (p *API) createReview(ctx context.Context, groups []inlineGroup) (int, int, error) {
	var comments []*github.DraftReviewComment
	n, left := 0, 0
	var fps []string
	for _, g := range groups {
		body, k := p.inlineBody(g)
		left += len(g.findings) - k
		if k == 0 {
			continue
		}
		for _, f := range g.findings[:k] {
			fps = append(fps, fingerprint(f))
		}
		n += k
		c := &github.DraftReviewComment{
			Path: github.String(g.path),
			Line: github.Int(g.line),
			Side: github.String("RIGHT"),
			Body: github.String(body),
		}
		if s := g.sug; s != nil {
			// The comment spans the lines its suggestion replaces.
			c.Line = github.Int(s.EndLine)
			if s.StartLine < s.EndLine {
				c.StartLine, c.StartSide = github.Int(s.StartLine), github.String("RIGHT")
			}
		}
		comments = append(comments, c)
	}
	if len(comments) == 0 {
		return 0, left, nil
	}
	req := &github.PullRequestReviewRequest{
		CommitID: github.String(p.t.HeadSHA),
		Event:    github.String("COMMENT"),
		Body: github.String(fmt.Sprintf("meshgate found %s on lines this pull request changes.",
			report.Plural(n, "gap", "gaps"))),
		Comments: comments,
	}
	err := p.writeOnce(ctx,
		func(ctx context.Context) error {
			_, _, err := p.gh.PullRequests.CreateReview(ctx, p.t.Owner, p.t.Repo, p.t.PRNumber, req)
			return err
		},
		func(ctx context.Context) (bool, error) {
			cs, err := p.reviewComments(ctx)
			if err != nil {
				return false, err
			}
			for _, c := range cs {
				if strings.Contains(c.GetBody(), "<!-- meshgate:fp="+fps[0]+" ") {
					return true, nil
				}
			}
			return false, nil
		})
	if err != nil {
		return 0, 0, err
	}
	return n, left, nil
}

// markFixed edits meshgate's inline comments whose gaps this run no longer
// finds: the finding's line is struck through and says where it was fixed.
// Gaps of environments this run did not check are left alone.
func (p *API) markFixed(ctx context.Context, rep report.Report, comments []*github.PullRequestComment) {
	current := map[string]bool{}
	checked := map[string]bool{}
	for _, e := range rep.Environments {
		checked[e.Name] = true
	}
	for _, f := range rep.Findings {
		current[fingerprint(f)] = true
		checked[f.Environment] = true
	}
	for _, c := range comments {
		if !p.api() {
			return
		}
		body, fixed := fixBody(c.GetBody(), p.t.HeadSHA, func(fp, env string) bool {
			return !current[fp] && checked[env]
		})
		if fixed == 0 {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		_, _, err := p.gh.PullRequests.EditComment(cctx, p.t.Owner, p.t.Repo, c.GetID(), &github.PullRequestComment{Body: github.String(body)})
		cancel()
		if err != nil {
			p.noteFailure(err, permPullRequests, "mark a fixed gap's inline comment")
			continue
		}
		p.res.InlineFixed += fixed
	}
}

// fixBody strikes through the items of body whose open marker isFixed
// says are fixed, and counts them.
func fixBody(body, sha string, isFixed func(fp, env string) bool) (string, int) {
	lines := strings.Split(body, "\n")
	n := 0
	for i, l := range lines {
		m := fpMarker.FindStringSubmatchIndex(l)
		if m == nil || l[m[2]:m[3]] != "fp" {
			continue
		}
		fp, envEsc := l[m[4]:m[5]], l[m[6]:m[7]]
		env, err := url.PathUnescape(envEsc)
		if err != nil || !isFixed(fp, env) {
			continue
		}
		item := strings.TrimSpace(strings.TrimPrefix(l[:m[0]], "- "))
		lines[i] = fmt.Sprintf("- ~~%s~~ ✅ fixed in %s <!-- meshgate:fixed=%s env=%s -->", item, short(sha), fp, envEsc)
		n++
	}
	return strings.Join(lines, "\n"), n
}
