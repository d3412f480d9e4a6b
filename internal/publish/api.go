package publish

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v56/github"
	"github.com/sethvargo/go-githubactions"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

// API publishes through GitHub's REST API with Target's token, and falls
// back to workflow-command annotations (Commands) for what no check run
// could carry. What GitHub answered is remembered from Start to Finish, so
// that a refused write is neither asked again nor reported twice.
type API struct {
	t      Target
	opts   Options
	gh     *github.Client
	err    error // a Target no client can be made for
	log    *githubactions.Action
	cmds   *Commands
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	jitter func(time.Duration) time.Duration

	// checkRunID is the check run created (0 before), checkRunURL its page.
	checkRunID  int64
	checkRunURL string
	// missing holds permissions a write was refused for (403).
	missing map[string]bool
	// badToken is GitHub's answer to a token it rejected (401); once set,
	// nothing more is asked of GitHub, since no call can succeed.
	badToken string
	// notFound lists the calls GitHub answered 404, for one message;
	// hidden holds their permissions, so a create is not asked again.
	notFound []string
	hidden   map[string]bool

	// gate and res belong to the Finish in progress.
	gate Gate
	res  Result
}

// NewAPI returns the publisher for t. An APIURL that does not parse makes
// Start and Finish fail.
func NewAPI(t Target, opts Options) *API {
	p := &API{t: t, opts: opts, now: opts.Now, sleep: opts.Sleep, jitter: opts.Jitter,
		missing: map[string]bool{}, hidden: map[string]bool{}}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = sleepCtx
	}
	if p.jitter == nil {
		p.jitter = randomJitter
	}
	p.cmds = NewCommands(opts.Log)
	p.log = githubactions.New(githubactions.WithWriter(p.cmds.w))
	p.gh, p.err = p.client()
	return p
}

// client is the go-github client: t's token and API URL, with retries.
func (p *API) client() (*github.Client, error) {
	base := p.opts.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	rt := &retryTransport{base: base, sleep: p.sleep, jitter: p.jitter, now: p.now,
		onRetry: func(req *http.Request, status int, wait time.Duration) {
			what := "connection failed"
			if status != 0 {
				what = strconv.Itoa(status)
			}
			p.log.Debugf("meshgate: %s %s: %s, retrying in %s", req.Method, req.URL.Path, what, wait.Round(time.Millisecond))
		}}
	gh := github.NewClient(&http.Client{Transport: rt}).WithAuthToken(p.t.Token)
	// The API URL as given: https://api.github.com, or
	// https://HOST/api/v3 on GitHub Enterprise Server.
	u, err := gh.BaseURL.Parse(p.t.APIURL + "/")
	if err != nil {
		return nil, fmt.Errorf("publish: GITHUB_API_URL %q: %w", p.t.APIURL, err)
	}
	gh.BaseURL = u
	gh.UserAgent = "meshgate"
	return gh, nil
}

// Start creates the check run in_progress on the head commit, so the pull
// request shows meshgate running while environments render. It is
// optional (Finish creates the check run when Start did not) and does
// nothing when Target.CheckRun is false. A refused create (401, 403, 404)
// is remembered, so Finish neither asks again nor repeats the message;
// other failures are tried again, and reported, by Finish.
func (p *API) Start(ctx context.Context) error {
	if p.err != nil {
		return p.err
	}
	if !p.t.CheckRun || !p.api() || p.t.HeadSHA == "" || !p.may(permChecks) {
		return nil
	}
	if err := p.createCheckRun(ctx); err != nil {
		p.noteFailure(err, permChecks, "create the check run")
	}
	return nil
}

// Finish posts rep per the event (SPEC "GitHub Action"): the check run
// (completed, with annotations), the sticky comment and inline review
// comments on pull requests; it falls back to workflow-command annotations
// for what no check run could carry, and the Result says once what went
// wrong: a token GitHub rejected (401), calls it answered 404, a missing
// permission (403).
func (p *API) Finish(ctx context.Context, rep report.Report, gate Gate) (Result, error) {
	if p.err != nil {
		return Result{}, p.err
	}
	res, gate, err := verdict(rep, gate)
	if err != nil {
		return Result{}, err
	}
	// Failures of Start that were not remembered are tried again.
	p.res, p.gate = res, gate

	// The pull request of a workflow_run from a fork is found by its head.
	if p.t.PRNumber == 0 && p.t.PRHead != "" && p.api() {
		p.findPullRequest(ctx)
	}
	pr := p.t.PRNumber > 0 && p.t.Comment != CommentNever

	// Inline comments first: the sticky comment and the check run say
	// how many gaps on changed lines went uncommented.
	var inline inlineOutcome
	if pr && p.api() {
		inline = p.publishInline(ctx, rep)
	}

	// The comparison with the previous run first: the check run and the
	// comment say the same.
	st := sticky{delta: deltaUnknown()}
	if pr && p.api() {
		st = p.readSticky(ctx, rep)
	}

	// Without a check run, every finding goes to the log.
	fallback, unannotated := true, rep.Findings
	if p.t.CheckRun && p.api() && p.t.HeadSHA != "" && p.may(permChecks) {
		fallback, unannotated = p.publishCheckRun(ctx, rep, st.delta, inline)
	}

	if pr && p.api() && st.read {
		p.publishComment(ctx, rep, st, inline)
	}
	p.res.NewGaps, p.res.FixedGaps, p.res.Since = st.delta.newGaps, st.delta.fixed, st.delta.since()

	if fallback {
		p.res.Fallback = true
		p.annotate(rep, unannotated)
	}
	p.res.Problems = append(p.accessProblems(), p.res.Problems...)
	p.res.MissingPermissions = sortedKeys(p.missing)
	return p.res, nil
}

// annotate writes findings (of rep) as workflow commands.
func (p *API) annotate(rep report.Report, findings []finding.Finding) {
	rep.Findings = findings
	if problem := p.cmds.annotate(rep); problem != "" {
		p.res.Problems = append(p.res.Problems, problem)
	}
}

// findPullRequest looks up the open pull request whose head is
// Target.PRHead at Target.HeadSHA.
func (p *API) findPullRequest(ctx context.Context) {
	opt := &github.PullRequestListOptions{State: "open", Head: p.t.PRHead, ListOptions: github.ListOptions{PerPage: 100}}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	prs, _, err := p.gh.PullRequests.List(cctx, p.t.Owner, p.t.Repo, opt)
	if err != nil {
		p.noteFailure(err, permPullRequests, "find the pull request of "+p.t.PRHead)
		return
	}
	for _, pr := range prs {
		if pr.GetHead().GetSHA() == p.t.HeadSHA {
			p.t.PRNumber = pr.GetNumber()
			return
		}
	}
}

// noteFailure records a failed call: a rejected token (401), something
// the token cannot see (404), a refused permission (403), or another
// problem. The first three are said once, after publishing.
func (p *API) noteFailure(err error, perm, what string) {
	switch {
	case statusOf(err) == http.StatusUnauthorized:
		if p.badToken == "" {
			p.badToken = errorText(err)
		}
	case statusOf(err) == http.StatusNotFound:
		p.hidden[perm] = true
		if !slices.Contains(p.notFound, what) {
			p.notFound = append(p.notFound, what)
		}
	case refused(err):
		p.missing[perm] = true
	default:
		p.res.Problems = append(p.res.Problems, fmt.Sprintf("could not %s: %s", what, errorText(err)))
	}
}

// api reports whether GitHub may be asked anything: it has not rejected
// the token (every further call would be rejected too).
func (p *API) api() bool { return p.badToken == "" }

// may reports whether writes that need perm are worth trying: GitHub has
// neither refused them (403) nor hidden what they write to (404).
func (p *API) may(perm string) bool { return !p.missing[perm] && !p.hidden[perm] }

// accessProblems says, once each, that GitHub rejected the token and what
// it answered 404 to.
func (p *API) accessProblems() []string {
	var out []string
	if p.badToken != "" {
		out = append(out, fmt.Sprintf("GitHub rejected the token (%s), so meshgate stopped publishing: "+
			"check the github-token input (a token that expired, was revoked, or is for another GitHub host)", p.badToken))
	}
	if len(p.notFound) > 0 {
		out = append(out, fmt.Sprintf("GitHub answered 404 Not Found to %s: GitHub hides what a token may not see; "+
			"is the github-token input a token of another repository, or of a GitHub App not installed on %s/%s?",
			joinAnd(p.notFound), p.t.Owner, p.t.Repo))
	}
	return out
}

// markdownOptions are what the comment and the check run's summary show
// the report with: links to the head commit's lines, the job summary to
// point to when cut, and the comparison with the previous run.
func (p *API) markdownOptions(delta deltaInfo) report.Options {
	return report.Options{SourceURL: SourceURL(p.t.ServerURL, p.t.Owner, p.t.Repo, p.t.HeadSHA),
		SummaryURL: p.t.RunURL, Since: delta.since()}
}

// SourceURL is where the files of a commit are shown on GitHub
// (https://github.com/OWNER/REPO/blob/SHA), "" when a part is not known.
func SourceURL(server, owner, repo, sha string) string {
	if server == "" || owner == "" || repo == "" || sha == "" {
		return ""
	}
	return strings.TrimSuffix(server, "/") + "/" + owner + "/" + repo + "/blob/" + sha
}
