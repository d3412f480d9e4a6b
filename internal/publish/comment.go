package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/google/go-github/v56/github"

	"github.com/meshgate/meshgate/internal/report"
)

// The sticky comment carries the previous run's fingerprints in a hidden
// marker, so the next run can say what is new and what was fixed.
const (
	stateMarkerStart = "<!-- meshgate:fingerprints "
	stateMarkerEnd   = " -->"
	// stateFingerprintLen keeps 64 bits of each fingerprint: plenty to tell
	// a pull request's gaps apart, and half the room in the comment.
	stateFingerprintLen = 16
	// maxStateBytes bounds the marker so the report keeps most of the
	// comment's 65,536 characters; past it the next run cannot compare.
	maxStateBytes = 24 << 10
)

// commentState is the hidden marker's JSON (encoding/json escapes < and >,
// so it can never close the HTML comment early).
type commentState struct {
	SHA string `json:"sha"`
	// Envs maps each environment checked to its findings' fingerprints.
	Envs map[string][]string `json:"envs"`
}

// deltaInfo compares this run with the previous sticky comment.
type deltaInfo struct {
	// known: a previous comment with fingerprints was found.
	known bool
	// first: there was no previous comment.
	first          bool
	newGaps, fixed int
}

func deltaUnknown() deltaInfo { return deltaInfo{fixed: -1} }

// since is the comparison the verdict adds, nil when there is none (no
// previous run, or one whose gaps were not tracked).
func (d deltaInfo) since() *report.Since {
	if !d.known {
		return nil
	}
	return &report.Since{New: d.newGaps, Fixed: d.fixed}
}

// sticky is the pull request's sticky comment as this run found it.
type sticky struct {
	// read: the comments could be listed; existing is the sticky comment,
	// nil on the first run.
	read     bool
	existing *github.IssueComment
	state    commentState
	delta    deltaInfo
}

// readSticky finds the sticky comment and compares this run with the
// previous one, before anything is posted: the check run says the same.
func (p *API) readSticky(ctx context.Context, rep report.Report) sticky {
	existing, err := p.findSticky(ctx)
	if err != nil {
		p.noteFailure(err, permPullRequests, "read the pull request's comments")
		return sticky{delta: deltaUnknown()}
	}
	st := sticky{read: true, existing: existing, state: p.state(rep), delta: deltaInfo{first: existing == nil, fixed: -1}}
	if existing == nil {
		st.delta.newGaps, st.delta.fixed = len(rep.Findings), 0
		return st
	}
	if prev, ok := parseState(existing.GetBody()); ok {
		st.delta = compare(prev, st.state)
	}
	return st
}

// publishComment creates or updates the one sticky comment. A body GitHub
// answers is too long (422) is written once more, with half the room.
func (p *API) publishComment(ctx context.Context, rep report.Report, st sticky, inline inlineOutcome) {
	if st.existing == nil && p.t.Comment == CommentOnFindings && len(rep.Findings) == 0 {
		return
	}
	err := p.writeComment(ctx, st.existing, p.commentBody(rep, st, inline, maxCommentBody))
	if tooLong(err) {
		err = p.writeComment(ctx, st.existing, p.commentBody(rep, st, inline, maxCommentBody/2))
	}
	if err != nil {
		what := "comment on the pull request"
		if st.existing != nil {
			what = "update the pull request comment"
		}
		p.noteFailure(err, permPullRequests, what)
	}
}

// tooLong: GitHub refused a body for its length ("Body is too long
// (maximum is 65536 characters)").
func tooLong(err error) bool {
	return statusOf(err) == http.StatusUnprocessableEntity && strings.Contains(strings.ToLower(errorText(err)), "too long")
}

// writeComment edits existing, or creates the sticky comment when it is
// nil, and records it in the Result.
func (p *API) writeComment(ctx context.Context, existing *github.IssueComment, body string) error {
	if existing != nil {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		c, _, err := p.gh.Issues.EditComment(cctx, p.t.Owner, p.t.Repo, existing.GetID(), &github.IssueComment{Body: github.String(body)})
		if err != nil {
			return err
		}
		p.res.CommentID, p.res.CommentURL, p.res.CommentAction = c.GetID(), c.GetHTMLURL(), "updated"
		return nil
	}
	var created *github.IssueComment
	err := p.writeOnce(ctx,
		func(ctx context.Context) error {
			c, _, err := p.gh.Issues.CreateComment(ctx, p.t.Owner, p.t.Repo, p.t.PRNumber, &github.IssueComment{Body: github.String(body)})
			created = c
			return err
		},
		func(ctx context.Context) (bool, error) {
			c, err := p.findSticky(ctx)
			created = c
			return c != nil, err
		})
	if err != nil {
		return err
	}
	p.res.CommentID, p.res.CommentURL, p.res.CommentAction = created.GetID(), created.GetHTMLURL(), "created"
	return nil
}

// findSticky returns the oldest comment carrying the report marker.
func (p *API) findSticky(ctx context.Context) (*github.IssueComment, error) {
	var sticky *github.IssueComment
	opt := &github.IssueListCommentsOptions{}
	err := eachPage(ctx, &opt.ListOptions, func(ctx context.Context) ([]*github.IssueComment, *github.Response, error) {
		return p.gh.Issues.ListComments(ctx, p.t.Owner, p.t.Repo, p.t.PRNumber, opt)
	}, func(c *github.IssueComment) bool {
		if strings.HasPrefix(c.GetBody(), report.MarkdownMarker) {
			sticky = c
		}
		return sticky == nil
	})
	return sticky, err
}

// state is this run's marker content: the environments checked and their
// findings' shortened fingerprints.
func (p *API) state(rep report.Report) commentState {
	s := commentState{SHA: p.t.HeadSHA, Envs: map[string][]string{}}
	for _, e := range rep.Environments {
		s.Envs[e.Name] = []string{}
	}
	for _, f := range rep.Findings {
		fp := fingerprint(f)
		if len(fp) > stateFingerprintLen {
			fp = fp[:stateFingerprintLen]
		}
		s.Envs[f.Environment] = append(s.Envs[f.Environment], fp)
	}
	for _, l := range s.Envs {
		sort.Strings(l)
	}
	return s
}

// marker renders the state, or nothing when it would not fit.
func (s commentState) marker() string {
	b, err := json.Marshal(s)
	if err != nil || len(b) > maxStateBytes {
		return ""
	}
	return stateMarkerStart + string(b) + stateMarkerEnd
}

func parseState(body string) (commentState, bool) {
	_, rest, ok := strings.Cut(body, stateMarkerStart)
	if !ok {
		return commentState{}, false
	}
	js, _, ok := strings.Cut(rest, stateMarkerEnd)
	if !ok {
		return commentState{}, false
	}
	var s commentState
	if err := json.Unmarshal([]byte(js), &s); err != nil || s.Envs == nil {
		return commentState{}, false
	}
	return s, true
}

// compare counts gaps new since prev, and gaps of prev fixed now. An
// environment this run did not check (a narrower environments input) is
// not counted as fixed.
func compare(prev, cur commentState) deltaInfo {
	d := deltaInfo{known: true}
	for env, fps := range cur.Envs {
		old := toSet(prev.Envs[env])
		for _, fp := range fps {
			if !old[fp] {
				d.newGaps++
			}
		}
	}
	for env, fps := range prev.Envs {
		now, checked := cur.Envs[env]
		if !checked {
			continue
		}
		set := toSet(now)
		for _, fp := range fps {
			if !set[fp] {
				d.fixed++
			}
		}
	}
	return d
}

func toSet(l []string) map[string]bool {
	m := make(map[string]bool, len(l))
	for _, s := range l {
		m[s] = true
	}
	return m
}

// commentBody is the report's markdown (markdownOptions) with the state
// marker and what publishing has to say after the verdict, within max
// bytes; a cut report points to the check run and the job summary.
func (p *API) commentBody(rep report.Report, st sticky, inline inlineOutcome, max int) string {
	var extra strings.Builder
	if m := st.state.marker(); m != "" {
		extra.WriteString(m + "\n")
	}
	if st.existing != nil && !st.delta.known {
		extra.WriteString("**Since the last run:** not compared (the previous run had too many gaps to track).\n")
	}
	if n := inline.created + inline.existing; n > 0 {
		fmt.Fprintf(&extra, "\n%s on lines this pull request changes %s inline.\n",
			report.Plural(n, "gap", "gaps"), map[bool]string{true: "is commented", false: "are commented"}[n == 1])
	}
	if inline.overflow > 0 {
		fmt.Fprintf(&extra, "\n%s on changed lines got no inline comment (at most %d new inline comments per run); the entries below list every gap.\n",
			report.Plural(inline.overflow, "more gap", "more gaps"), maxInlineComments)
	}
	o := p.markdownOptions(st.delta)
	o.CheckRunURL = p.checkRunURL
	o.MaxBytes = max - extra.Len() - 1
	md := report.Markdown(rep, o)
	return cut(report.InsertAfterVerdict(md, extra.String()), max)
}
