// Package publish posts a meshgate report where people look on GitHub,
// behind one interface with two implementations: API, through the REST API
// (a check run with line annotations, one sticky pull-request comment,
// inline review comments on changed lines), and Commands, workflow-command
// annotations in the log. It knows nothing of the action's environment:
// it is given plain values (Target) and buffers until Finish.
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
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v56/github"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

// GitHub's limits (each cited from the REST API's error or documentation).
const (
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

// Values of Target.Comment (the comment input).
const (
	CommentAlways     = "true"
	CommentNever      = "false"
	CommentOnFindings = "on-findings"
)

// Publisher publishes one run's report: Start while the environments
// render, Finish with the report. Nothing is posted before Finish but the
// check run Start creates in progress.
type Publisher interface {
	// Start marks the run as in progress where that shows (the check run).
	// A publishing failure is not an error: Finish reports it.
	Start(ctx context.Context) error
	// Finish publishes rep judged by gate. Publishing failures are in the
	// Result; the error is only for a setup mistake (an invalid gate).
	Finish(ctx context.Context, rep report.Report, gate Gate) (Result, error)
}

// Target is where and how an API publisher posts: plain values of the
// workflow run and the action's inputs. Paths in the reports it is given
// are relative to the repository root.
type Target struct {
	Owner, Repo string
	// HeadSHA is the commit the check run and review comments go on.
	HeadSHA string
	// PRNumber is the pull request's number, 0 outside pull requests.
	PRNumber int
	// PRHead is "owner:branch" of a pull request that is looked up by its
	// head at HeadSHA, when PRNumber is unknown (a workflow_run event of a
	// fork's pull request, which GitHub leaves without pull_requests).
	PRHead string
	// APIURL is the REST API's root: https://api.github.com, or
	// https://HOST/api/v3 on GitHub Enterprise Server.
	APIURL string
	// ServerURL is GitHub's web root (https://github.com, or
	// https://HOST): the comment links each gap to its line there.
	ServerURL string
	// RunURL is the workflow run's page, the check run's details.
	RunURL string
	// ExternalID identifies this run's check run among runs of the same
	// name on the same commit, so that a create whose answer was lost can
	// be found again instead of repeated.
	ExternalID string
	Token      string

	// CheckRun is whether to publish a check run, named CheckName.
	CheckRun  bool
	CheckName string
	// Comment is CommentAlways, CommentNever or CommentOnFindings: the
	// sticky comment and the inline review comments on pull requests.
	Comment string
}

// Options tune a publisher.
type Options struct {
	// Log is the workflow run's log: workflow-command annotations and
	// notes on retries go there (nowhere when nil).
	Log io.Writer

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

// Gate is what the report is judged by: findings at or above FailOn fail
// (error when empty), and with OnlyNew only those a baseline marked new
// (--base-ref in a pull request without --fail-on-existing).
type Gate struct {
	FailOn  string
	OnlyNew bool
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
	// Since is that comparison as the verdict of the sticky comment and
	// the check run shows it (nil when there is none), for the job
	// summary to say the same.
	Since *report.Since

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

// verdict starts the Result of rep judged by g, and returns g with its
// fail-on checked.
func verdict(rep report.Report, g Gate) (Result, Gate, error) {
	failOn, err := finding.ParseFailOn(g.FailOn)
	if err != nil {
		return Result{}, g, fmt.Errorf("publish: fail-on %w", err)
	}
	g.FailOn = failOn
	res := Result{Result: "pass", Conclusion: conclusionSuccess}
	switch {
	case len(rep.Failing(g.FailOn, g.OnlyNew)) > 0:
		res.Result = "fail"
		res.Conclusion = conclusionFailure
	case len(rep.Findings) > 0:
		res.Conclusion = conclusionNeutral
	}
	return res, g, nil
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
