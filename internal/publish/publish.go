// Package publish posts a meshgate report where people look on GitHub: a
// check run with line annotations, one sticky pull-request comment, inline
// review comments on changed lines, the job summary and the step outputs.
//
// Publishing never decides the exit code: API failures, refused permissions
// (fork pull requests, a workflow without checks: write or
// pull-requests: write) and GitHub's limits are handled here, with a fallback
// to workflow-command annotations, and reported in the Result. Only setup
// mistakes are errors.
package publish

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v56/github"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

// GitHub's limits (each cited from the REST API's error or documentation).
const (
	// maxStepSummaryBytes: "$GITHUB_STEP_SUMMARY upload aborted, supports
	// content up to a size of 1024k".
	maxStepSummaryBytes = 1024 * 1024
	// maxCommentBody: issue comments answer 422 "Body is too long (maximum
	// is 65536 characters)". Counted here in bytes, which never undercounts.
	maxCommentBody = 65536
)

// Permissions a refused write points at.
const (
	permChecks       = "checks: write"
	permPullRequests = "pull-requests: write"
)

// Conclusions of the check run.
const (
	conclusionSuccess = "success"
	conclusionFailure = "failure"
	// conclusionNeutral: there are findings, but none at or above fail-on
	// (warnings with fail-on error, anything with fail-on never). GitHub
	// shows neutral as not blocking, which is what fail-on asked for, while
	// success would hide that there is something to read.
	conclusionNeutral = "neutral"
)

// Options tune one Start or Publish.
type Options struct {
	// FailOn is the threshold the conclusion and the result output follow;
	// empty means the fail-on input.
	FailOn string
	// OnlyNew makes FailOn count only findings a baseline marked new
	// (--base-ref in a pull request without --fail-on-existing).
	OnlyNew bool
	// ReportPath is the JSON report's path, the report output.
	ReportPath string
	// ToolVersion is meshgate's version, for the markdown footer.
	ToolVersion string

	// Transport carries the HTTP requests (http.DefaultTransport when nil);
	// retries are layered over it.
	Transport http.RoundTripper
	// Sleep waits between retries (tests make it return at once).
	Sleep func(context.Context, time.Duration) error
	// Jitter returns a random duration below its argument (tests: 0).
	Jitter func(time.Duration) time.Duration
	// Now is the clock for check run timestamps.
	Now func() time.Time
}

// Result says what publishing did. It never changes the exit code.
type Result struct {
	// Result is the result output: "pass" or "fail".
	Result     string
	Conclusion string // of the check run: success, failure or neutral

	CheckRunID  int64
	CheckRunURL string
	// Annotations posted on the check run, in AnnotationRequests PATCHes.
	Annotations        int
	AnnotationRequests int

	// CommentID is the sticky comment's id; CommentAction is "created",
	// "updated" or "" (none: not a pull request, comment input, or a
	// failure).
	CommentID     int64
	CommentURL    string
	CommentAction string
	// NewGaps and FixedGaps compare with the previous run's sticky
	// comment; FixedGaps is -1 when nothing was compared (not a pull
	// request, or the previous run's fingerprints are unknown).
	NewGaps, FixedGaps int

	// InlineCreated new review comments, InlineFixed comments marked
	// fixed, InlineOverflow gaps on changed lines not commented for the cap.
	InlineCreated, InlineFixed, InlineOverflow int

	// Fallback is true when the findings went to the log as
	// workflow-command annotations because no check run could carry them.
	Fallback bool
	// MissingPermissions lists the permissions a write was refused for.
	MissingPermissions []string
	// Problems are publishing failures other than permissions (the log
	// shows them as warnings).
	Problems []string
}

// publisher is one Start or Publish in progress.
type publisher struct {
	pc     *Context
	opts   Options
	gh     *github.Client
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	jitter func(time.Duration) time.Duration
	res    Result
}

func newPublisher(pc *Context, opts Options) (*publisher, error) {
	if pc == nil || pc.action == nil {
		return nil, errors.New("publish: the context was not made by LoadContext")
	}
	if opts.FailOn == "" {
		opts.FailOn = pc.Inputs.FailOn
	}
	failOn, err := finding.ParseFailOn(opts.FailOn)
	if err != nil {
		return nil, fmt.Errorf("publish: fail-on %w", err)
	}
	opts.FailOn = failOn
	p := &publisher{pc: pc, opts: opts, now: opts.Now, sleep: opts.Sleep, jitter: opts.Jitter}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = sleepCtx
	}
	if p.jitter == nil {
		p.jitter = randomJitter
	}
	if pc.missing == nil {
		pc.missing = map[string]bool{}
	}
	if pc.hidden == nil {
		pc.hidden = map[string]bool{}
	}
	if pc.token != "" {
		base := opts.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		rt := &retryTransport{base: base, sleep: p.sleep, jitter: p.jitter, now: p.now,
			onRetry: func(req *http.Request, status int, wait time.Duration) {
				what := "connection failed"
				if status != 0 {
					what = strconv.Itoa(status)
				}
				pc.action.Debugf("meshgate: %s %s: %s, retrying in %s", req.Method, req.URL.Path, what, wait.Round(time.Millisecond))
			}}
		gh := github.NewClient(&http.Client{Transport: rt}).WithAuthToken(pc.token)
		// GITHUB_API_URL as given: https://api.github.com, or
		// https://HOST/api/v3 on GitHub Enterprise Server.
		u, err := gh.BaseURL.Parse(pc.APIURL + "/")
		if err != nil {
			return nil, fmt.Errorf("publish: GITHUB_API_URL %q: %w", pc.APIURL, err)
		}
		gh.BaseURL = u
		gh.UserAgent = "meshgate"
		p.gh = gh
	}
	return p, nil
}

// Start creates the check run in_progress on the context's head commit, so
// the pull request shows meshgate running while environments render. It is
// optional (Publish creates the check run when Start did not) and does
// nothing when the check-run input is false or there is no token. A refused
// create (401, 403, 404) is remembered, so Publish neither asks again nor
// repeats the message; the error is only for a context not made by
// LoadContext.
func Start(ctx context.Context, pc *Context, opts Options) error {
	p, err := newPublisher(pc, opts)
	if err != nil {
		return err
	}
	if !pc.Inputs.CheckRun || !p.api() || pc.HeadSHA == "" || !p.may(permChecks) {
		return nil
	}
	if err := p.createCheckRun(ctx); err != nil {
		// A refusal is remembered in the context; other failures are tried
		// again, and reported, by Publish.
		p.noteFailure(err, permChecks, "create the check run")
	}
	return nil
}

// Publish posts rep per the event (SPEC "GitHub Action"): the check run
// (completed, with annotations), the sticky comment and inline review
// comments on pull requests, the job summary and the step outputs; it falls
// back to workflow-command annotations for what no check run could carry
// and says once what went wrong: a token GitHub rejected (401), calls it
// answered 404, a missing permission (403). The exit code is the
// caller's, from the findings alone. The error is only for setup mistakes.
func Publish(ctx context.Context, pc *Context, rep report.Report, opts Options) (Result, error) {
	p, err := newPublisher(pc, opts)
	if err != nil {
		return Result{}, err
	}
	rep = pc.RepoRelative(rep)

	failing := rep.Failing(p.opts.FailOn, p.opts.OnlyNew)
	p.res.Result = "pass"
	p.res.Conclusion = conclusionSuccess
	switch {
	case len(failing) > 0:
		p.res.Result = "fail"
		p.res.Conclusion = conclusionFailure
	case len(rep.Findings) > 0:
		p.res.Conclusion = conclusionNeutral
	}

	// The pull request of a workflow_run from a fork is found by its head.
	if pc.PRNumber == 0 && pc.PRHead != "" && p.api() {
		p.findPullRequest(ctx)
	}

	// Inline comments first: the sticky comment and the check run say
	// how many gaps on changed lines went uncommented.
	var inline inlineOutcome
	if pc.PRNumber > 0 && pc.Inputs.Comment != CommentNever && p.api() {
		inline = p.publishInline(ctx, rep)
	}

	// Without a check run, every finding goes to the log.
	fallback, unannotated := true, rep.Findings
	if pc.Inputs.CheckRun && p.api() && pc.HeadSHA != "" && p.may(permChecks) {
		fallback, unannotated = p.publishCheckRun(ctx, rep, inline)
	}

	delta := deltaUnknown()
	if pc.PRNumber > 0 && pc.Inputs.Comment != CommentNever && p.api() {
		delta = p.publishComment(ctx, rep, inline)
	}
	p.res.NewGaps, p.res.FixedGaps = delta.newGaps, delta.fixed

	if fallback {
		p.res.Fallback = true
		p.workflowCommands(rep, unannotated)
	}
	if p.gh == nil && (pc.Inputs.CheckRun || (pc.PRNumber > 0 && pc.Inputs.Comment != CommentNever)) {
		p.res.Problems = append(p.res.Problems, "no token (the github-token input, or GITHUB_TOKEN): nothing was posted to GitHub")
	}
	p.res.Problems = append(p.accessProblems(), p.res.Problems...)

	p.res.MissingPermissions = sortedKeys(pc.missing)
	p.report()
	p.stepSummary(rep, delta)
	p.outputs(rep)
	return p.res, nil
}

// RepoRelative returns rep with its file paths (findings, exemptions,
// environments) relative to the repository root instead of
// working-directory, as annotations, review comments and code scanning's
// SARIF need.
func (c *Context) RepoRelative(rep report.Report) report.Report {
	fix := func(fs []finding.Finding) []finding.Finding {
		out := make([]finding.Finding, len(fs))
		for i, f := range fs {
			f.File = c.repoPath(f.File)
			out[i] = f
		}
		return out
	}
	rep.Findings = fix(rep.Findings)
	rep.Ignored = fix(rep.Ignored)
	envs := make([]report.Environment, len(rep.Environments))
	for i, e := range rep.Environments {
		e.Path = c.repoPath(e.Path)
		envs[i] = e
	}
	rep.Environments = envs
	rep.Finalize()
	return rep
}

// findPullRequest looks up the open pull request whose head is pc.PRHead
// at pc.HeadSHA.
func (p *publisher) findPullRequest(ctx context.Context) {
	opt := &github.PullRequestListOptions{State: "open", Head: p.pc.PRHead, ListOptions: github.ListOptions{PerPage: 100}}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	prs, _, err := p.gh.PullRequests.List(cctx, p.pc.Owner, p.pc.Repo, opt)
	if err != nil {
		p.noteFailure(err, permPullRequests, "find the pull request of "+p.pc.PRHead)
		return
	}
	for _, pr := range prs {
		if pr.GetHead().GetSHA() == p.pc.HeadSHA {
			p.pc.PRNumber = pr.GetNumber()
			p.pc.BaseSHA = pr.GetBase().GetSHA()
			return
		}
	}
}

// statusOf is the HTTP status of a go-github error (0 when there was no
// answer).
func statusOf(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) && rl.Response != nil {
		return rl.Response.StatusCode
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) && ab.Response != nil {
		return ab.Response.StatusCode
	}
	return 0
}

// ambiguous reports whether a write's failure leaves unknown whether it
// was applied: a 5xx, or no answer at all.
func ambiguous(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	s := statusOf(err)
	return s == 0 || s >= 500
}

// refused reports a call the token may not make: a 403 that is not a rate
// limit (the transport retried those). 401 and 404 say something else
// about the token (see noteFailure).
func refused(err error) bool {
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	if errors.As(err, &rl) || errors.As(err, &ab) {
		return false
	}
	// A rate limit whose wait was beyond what the transport honours still
	// arrives as a 403 that go-github v56 does not recognise.
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		h := er.Response.Header
		if strings.Contains(strings.ToLower(er.Message), "rate limit") || h.Get("Retry-After") != "" || h.Get("X-RateLimit-Remaining") == "0" {
			return false
		}
	}
	return statusOf(err) == http.StatusForbidden
}

// noteFailure records a failed call: a rejected token (401), something
// the token cannot see (404), a refused permission (403), or another
// problem. The first three are said once, after publishing.
func (p *publisher) noteFailure(err error, perm, what string) {
	switch {
	case statusOf(err) == http.StatusUnauthorized:
		if p.pc.badToken == "" {
			p.pc.badToken = errorText(err)
		}
	case statusOf(err) == http.StatusNotFound:
		p.pc.hidden[perm] = true
		if !slices.Contains(p.pc.notFound, what) {
			p.pc.notFound = append(p.pc.notFound, what)
		}
	case refused(err):
		p.pc.missing[perm] = true
	default:
		p.res.Problems = append(p.res.Problems, fmt.Sprintf("could not %s: %s", what, errorText(err)))
	}
}

// api reports whether GitHub may be asked anything: there is a token, and
// GitHub has not rejected it (every further call would be rejected too).
func (p *publisher) api() bool { return p.gh != nil && p.pc.badToken == "" }

// may reports whether writes that need perm are worth trying: GitHub has
// neither refused them (403) nor hidden what they write to (404).
func (p *publisher) may(perm string) bool { return !p.pc.missing[perm] && !p.pc.hidden[perm] }

// accessProblems says, once each, that GitHub rejected the token and what
// it answered 404 to.
func (p *publisher) accessProblems() []string {
	var out []string
	if p.pc.badToken != "" {
		out = append(out, fmt.Sprintf("GitHub rejected the token (%s), so meshgate stopped publishing: "+
			"check the github-token input (a token that expired, was revoked, or is for another GitHub host)", p.pc.badToken))
	}
	if len(p.pc.notFound) > 0 {
		out = append(out, fmt.Sprintf("GitHub answered 404 Not Found to %s: GitHub hides what a token may not see; "+
			"is the github-token input a token of another repository, or of a GitHub App not installed on %s?",
			joinAnd(p.pc.notFound), p.pc.Repository))
	}
	return out
}

// joinAnd joins l as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(l []string) string {
	if len(l) < 2 {
		return strings.Join(l, "")
	}
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}

// errorText is an API error without go-github's request URL, which would
// repeat the repository in every line.
func errorText(err error) string {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		msg := er.Message
		for _, e := range er.Errors {
			if e.Message != "" {
				msg += ": " + e.Message
			}
		}
		// GitHub's 422 messages span lines ("Invalid request.\n\n...").
		return fmt.Sprintf("%d %s", er.Response.StatusCode, oneLine(msg))
	}
	return err.Error()
}

// report logs, once, the refused permissions and the other problems.
func (p *publisher) report() {
	a := p.pc.action.WithFieldsMap(map[string]string{"title": "meshgate"})
	if len(p.res.MissingPermissions) > 0 {
		a.Warningf("%s", p.permissionMessage())
	}
	for _, pr := range p.res.Problems {
		a.Warningf("meshgate: %s", pr)
	}
}

func (p *publisher) permissionMessage() string {
	var b strings.Builder
	b.WriteString("meshgate could not publish to GitHub: the token lacks ")
	b.WriteString(strings.Join(p.res.MissingPermissions, " and "))
	b.WriteString(" (add it to the workflow's permissions: block).")
	if p.pc.Fork {
		b.WriteString(" Pull requests from forks get a read-only token; publish their reports from a workflow_run workflow (see the README).")
	}
	if p.res.Fallback {
		b.WriteString(" The findings are annotated with workflow commands and listed in the job summary instead.")
	} else {
		b.WriteString(" The findings are in the check run and the job summary.")
	}
	return b.String()
}

// workflowCommands writes findings (of rep) as ::error/::warning/::notice
// commands, which the runner turns into annotations.
func (p *publisher) workflowCommands(rep report.Report, findings []finding.Finding) {
	f, err := report.Lookup(report.FormatGitHub)
	if err != nil {
		p.res.Problems = append(p.res.Problems, err.Error())
		return
	}
	rep.Findings = findings
	if err := f(p.pc.out, rep, report.Options{ToolVersion: p.opts.ToolVersion}); err != nil {
		p.res.Problems = append(p.res.Problems, "write workflow commands: "+err.Error())
	}
}

// fileCommand runs a githubactions file command, which panics when the
// file cannot be written, and turns that into a problem.
func (p *publisher) fileCommand(what, file string, f func()) {
	if file == "" {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			p.res.Problems = append(p.res.Problems, fmt.Sprintf("could not write the %s to %s: %v", what, file, r))
		}
	}()
	f()
}

// stepSummary appends the markdown report to the job summary.
func (p *publisher) stepSummary(rep report.Report, delta deltaInfo) {
	var extra strings.Builder
	if line := delta.line(); line != "" && p.pc.PRNumber > 0 {
		extra.WriteString(line + "\n")
	}
	if len(p.res.MissingPermissions) > 0 {
		extra.WriteString("\n> [!WARNING]\n> " + p.permissionMessage() + "\n")
	}
	for _, pr := range p.res.Problems {
		extra.WriteString("\n> [!WARNING]\n> meshgate: " + oneLine(pr) + "\n")
	}
	md := p.markdown(rep, maxStepSummaryBytes-extra.Len()-1, p.res.CheckRunURL)
	body := report.InsertAfterVerdict(md, extra.String())
	p.fileCommand("job summary", p.pc.StepSummaryFile, func() { p.pc.action.AddStepSummary(body) })
}

// outputs sets the step outputs (action.yml).
func (p *publisher) outputs(rep report.Report) {
	set := map[string]string{
		"result":   p.res.Result,
		"findings": strconv.Itoa(rep.Summary.Findings),
		"errors":   strconv.Itoa(rep.Summary.Errors),
		"warnings": strconv.Itoa(rep.Summary.Warnings),
		"report":   p.opts.ReportPath,
	}
	for _, k := range []string{"result", "findings", "errors", "warnings", "report"} {
		p.fileCommand("output "+k, p.pc.OutputFile, func() { p.pc.action.SetOutput(k, set[k]) })
	}
}

// markdown is the report's markdown within max bytes.
func (p *publisher) markdown(rep report.Report, max int, checkRunURL string) string {
	return report.Markdown(rep, report.Options{MaxBytes: max, CheckRunURL: checkRunURL, ToolVersion: p.opts.ToolVersion})
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// fingerprint is f's fingerprint, made from its fields for a hand-written
// report that has none.
func fingerprint(f finding.Finding) string {
	if f.Fingerprint != "" {
		return f.Fingerprint
	}
	return finding.Fingerprint(f.Rule, f.Environment, f.Kind, f.Namespace, f.Name, f.Container, f.Message)
}

// short is the first 7 characters of a commit SHA.
func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
