package publish

import (
	"context"
	"encoding/json"
	"fmt"
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
	first            bool
	newGaps, fixed   int
	prevSHA, headSHA string
}

func deltaUnknown() deltaInfo { return deltaInfo{fixed: -1} }

// line is the sentence the comment and the summary show.
func (d deltaInfo) line() string {
	switch {
	case d.first:
		return fmt.Sprintf("**First run** on this pull request: %s.", report.Plural(d.newGaps, "new gap", "new gaps"))
	case !d.known:
		return ""
	}
	return fmt.Sprintf("**Since the last run** (`%s` → `%s`): %s, %d fixed.",
		short(d.prevSHA), short(d.headSHA), report.Plural(d.newGaps, "new gap", "new gaps"), d.fixed)
}

// publishComment creates or updates the one sticky comment and returns the
// comparison with the previous run.
func (p *API) publishComment(ctx context.Context, rep report.Report, inline inlineOutcome) deltaInfo {
	existing, err := p.findSticky(ctx)
	if err != nil {
		p.noteFailure(err, permPullRequests, "read the pull request's comments")
		return deltaUnknown()
	}
	state := p.state(rep)
	delta := deltaInfo{first: existing == nil, headSHA: p.t.HeadSHA, fixed: -1}
	if existing != nil {
		if prev, ok := parseState(existing.GetBody()); ok {
			delta = compare(prev, state)
			delta.headSHA = p.t.HeadSHA
		}
	} else {
		delta.newGaps, delta.fixed = len(rep.Findings), 0
	}

	if existing == nil && p.t.Comment == CommentOnFindings && len(rep.Findings) == 0 {
		return delta
	}
	body := p.commentBody(rep, state, delta, inline)

	if existing != nil {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		c, _, err := p.gh.Issues.EditComment(cctx, p.t.Owner, p.t.Repo, existing.GetID(), &github.IssueComment{Body: github.String(body)})
		if err != nil {
			p.noteFailure(err, permPullRequests, "update the pull request comment")
			return delta
		}
		p.res.CommentID, p.res.CommentURL, p.res.CommentAction = c.GetID(), c.GetHTMLURL(), "updated"
		return delta
	}
	var created *github.IssueComment
	err = p.writeOnce(ctx,
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
		p.noteFailure(err, permPullRequests, "comment on the pull request")
		return delta
	}
	p.res.CommentID, p.res.CommentURL, p.res.CommentAction = created.GetID(), created.GetHTMLURL(), "created"
	return delta
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
	d := deltaInfo{known: true, prevSHA: prev.SHA}
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

// commentBody is the report's markdown with the state marker, the
// comparison and the inline-comment note after the verdict, within
// maxCommentBody; a cut report points to the check run.
func (p *API) commentBody(rep report.Report, state commentState, delta deltaInfo, inline inlineOutcome) string {
	var extra strings.Builder
	if m := state.marker(); m != "" {
		extra.WriteString(m + "\n")
	}
	if l := delta.line(); l != "" {
		extra.WriteString(l + "\n")
	} else {
		extra.WriteString("**Since the last run:** not compared (the previous run had too many gaps to track).\n")
	}
	if n := inline.created + inline.existing; n > 0 {
		fmt.Fprintf(&extra, "\n%s on lines this pull request changes %s inline.\n",
			report.Plural(n, "gap", "gaps"), map[bool]string{true: "is commented", false: "are commented"}[n == 1])
	}
	if inline.overflow > 0 {
		fmt.Fprintf(&extra, "\n%s on changed lines got no inline comment (at most %d new inline comments per run); the tables below list every gap.\n",
			report.Plural(inline.overflow, "more gap", "more gaps"), maxInlineComments)
	}
	pointer := p.checkRunURL
	if pointer == "" {
		pointer = p.t.RunURL
	}
	md := markdown(rep, maxCommentBody-extra.Len()-1, pointer)
	return cut(report.InsertAfterVerdict(md, extra.String()), maxCommentBody)
}
