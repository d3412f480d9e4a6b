// Package action is meshgate as a GitHub Actions step: everything that
// knows it runs inside a workflow. It reads and validates the action's
// inputs and the event payload, masks the token, refuses a "pwn request",
// picks the pull request's base commit and changed files, writes the log
// groups, warnings, job summary and step outputs, and chooses the
// publisher, to which it hands plain values (publish.Target).
package action

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/publish"
)

// defaultCheckName is the check-name input's default.
const defaultCheckName = "meshgate"

// inputAllowPRTargetHead is the input that lets meshgate run on a
// pull_request_target event with a fork's code checked out (see Guard).
const inputAllowPRTargetHead = "allow-pull-request-target-head"

// InActions reports whether meshgate runs as a GitHub Actions step.
func InActions(getenv func(string) string) bool { return getenv("GITHUB_ACTIONS") == "true" }

// Inputs are the action's inputs (action.yml), validated.
type Inputs struct {
	Config           string
	WorkingDirectory string
	// Environments is the environments input split on commas, spaces and
	// newlines; empty means every environment.
	Environments []string
	FailOn       string // error | warning | never
	// FailOnExisting counts, in a pull request, the gaps its base commit
	// has too for fail-on (meshgate check --fail-on-existing).
	FailOnExisting bool
	Comment        string // publish.CommentAlways | CommentNever | CommentOnFindings
	CheckRun       bool
	CheckName      string
	SARIFFile      string
	JSONFile       string
	// ChangedOnly: in a pull request, check only the environments whose
	// inputs its files touch (see ChangedFiles).
	ChangedOnly bool
	// AllowPRTargetHead accepts the risk Guard refuses.
	AllowPRTargetHead bool
}

// Run is one workflow step: its inputs, its event and the file-command
// files. Load fills it from the environment GitHub gives a docker action;
// the methods act on it.
type Run struct {
	Inputs Inputs

	eventName string // GITHUB_EVENT_NAME
	eventPath string // GITHUB_EVENT_PATH
	// repository is owner/name (GITHUB_REPOSITORY); owner and repo split it.
	repository, owner, repo string
	// sha is GITHUB_SHA; headSHA is the commit the check run and review
	// comments go on: the pull request's head, the pushed commit, or sha.
	sha, headSHA, baseSHA string
	// prNumber is the pull request's number, 0 outside pull requests.
	prNumber int
	// headRepository is the full name of the pull request's head
	// repository; fork is true when it is not repository (its token is
	// read-only).
	headRepository string
	fork           bool
	// prHead is "owner:branch" of a workflow_run's pull request when the
	// event does not carry its number (GitHub leaves pull_requests empty
	// for forks); the publisher then looks the pull request up.
	prHead string

	apiURL    string // GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3)
	serverURL string // GITHUB_SERVER_URL
	runID     string // GITHUB_RUN_ID
	// runAttempt is GITHUB_RUN_ATTEMPT ("1" when unset).
	runAttempt string

	outputFile      string // GITHUB_OUTPUT
	stepSummaryFile string // GITHUB_STEP_SUMMARY
	workspace       string // GITHUB_WORKSPACE

	// externalID identifies this process's check run among runs of the
	// same name on the same commit.
	externalID string

	token string
	gha   *githubactions.Action
	out   io.Writer
}

// Load reads the action's inputs and the workflow run from getenv (the
// environment GitHub sets for a docker action) and parses the event
// payload. Workflow commands, starting with the mask for the token, go to
// log. Invalid inputs and an unreadable event file are errors that name the
// input or the file.
func Load(getenv func(string) string, log io.Writer) (*Run, error) {
	if log == nil {
		log = io.Discard
	}
	gha := githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(log))
	r := &Run{gha: gha, out: log}

	r.token = gha.GetInput("github-token")
	if r.token == "" {
		// meshgate publish runs as a plain step, where the token comes
		// as an environment variable rather than an action input.
		r.token = strings.TrimSpace(getenv("GITHUB_TOKEN"))
	}
	if r.token != "" {
		// Masked before anything else is logged.
		gha.AddMask(r.token)
	}
	in, err := readInputs(gha)
	if err != nil {
		return nil, err
	}
	r.Inputs = in
	if err := r.readEnv(getenv); err != nil {
		return nil, err
	}
	if err := r.readEvent(); err != nil {
		return nil, err
	}
	if r.headSHA == "" {
		r.headSHA = r.sha
	}
	// Checked last, as the guard it relaxes applies to the event.
	if r.Inputs.AllowPRTargetHead, err = boolInput(gha, inputAllowPRTargetHead, false); err != nil {
		return nil, err
	}
	var nonce [4]byte
	_, _ = rand.Read(nonce[:])
	r.externalID = fmt.Sprintf("meshgate/%s/%s/%s", r.runID, r.runAttempt, hex.EncodeToString(nonce[:]))
	return r, nil
}

// readEnv reads the workflow run's GITHUB_* variables.
func (r *Run) readEnv(getenv func(string) string) error {
	r.eventName = getenv("GITHUB_EVENT_NAME")
	r.eventPath = getenv("GITHUB_EVENT_PATH")
	r.repository = getenv("GITHUB_REPOSITORY")
	r.sha = getenv("GITHUB_SHA")
	r.runID = getenv("GITHUB_RUN_ID")
	r.runAttempt = getenv("GITHUB_RUN_ATTEMPT")
	if r.runAttempt == "" {
		r.runAttempt = "1"
	}
	r.outputFile = getenv("GITHUB_OUTPUT")
	r.stepSummaryFile = getenv("GITHUB_STEP_SUMMARY")
	r.workspace = getenv("GITHUB_WORKSPACE")

	owner, repo, ok := strings.Cut(r.repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return fmt.Errorf("GITHUB_REPOSITORY %q: want owner/name", r.repository)
	}
	r.owner, r.repo = owner, repo

	r.apiURL = strings.TrimSuffix(getenv("GITHUB_API_URL"), "/")
	if r.apiURL == "" {
		r.apiURL = "https://api.github.com"
	}
	if u, err := url.Parse(r.apiURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("GITHUB_API_URL %q: want an http(s) URL", r.apiURL)
	}
	r.serverURL = strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/")
	if r.serverURL == "" {
		r.serverURL = "https://github.com"
	}
	return nil
}

func readInputs(a *githubactions.Action) (Inputs, error) {
	in := Inputs{
		Config:           a.GetInput("config"),
		WorkingDirectory: a.GetInput("working-directory"),
		FailOn:           strings.ToLower(a.GetInput("fail-on")),
		Comment:          strings.ToLower(a.GetInput("comment")),
		CheckName:        a.GetInput("check-name"),
		SARIFFile:        a.GetInput("sarif-file"),
		JSONFile:         a.GetInput("json-file"),
		// Anything but true is false, as it always was.
		ChangedOnly: strings.EqualFold(a.GetInput("changed-only"), "true"),
	}
	in.Environments = strings.FieldsFunc(a.GetInput("environments"), func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	failOn, err := finding.ParseFailOn(in.FailOn)
	if err != nil {
		return in, fmt.Errorf("input fail-on %w", err)
	}
	in.FailOn = failOn
	switch in.Comment {
	case "":
		in.Comment = publish.CommentAlways
	case publish.CommentAlways, publish.CommentNever, publish.CommentOnFindings:
	default:
		return in, fmt.Errorf("input comment %q: want true, false or on-findings", in.Comment)
	}
	if in.CheckRun, err = boolInput(a, "check-run", true); err != nil {
		return in, err
	}
	if in.FailOnExisting, err = boolInput(a, "fail-on-existing", false); err != nil {
		return in, err
	}
	if in.CheckName == "" {
		in.CheckName = defaultCheckName
	}
	return in, nil
}

// boolInput reads a true/false input; def when it is empty.
func boolInput(a *githubactions.Action, name string, def bool) (bool, error) {
	switch v := strings.ToLower(a.GetInput(name)); v {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	default:
		return false, fmt.Errorf("input %s %q: want true or false", name, v)
	}
}

// runURL is the workflow run's page.
func (r *Run) runURL() string {
	if r.runID == "" {
		return ""
	}
	return r.serverURL + "/" + r.repository + "/actions/runs/" + r.runID
}

// PullRequest reports whether the run checks a pull request, whose inline
// comments carry suggested changes.
func (r *Run) PullRequest() bool { return r.prNumber > 0 }

// target is what the API publisher needs to know of the run.
func (r *Run) target() publish.Target {
	return publish.Target{
		Owner: r.owner, Repo: r.repo,
		HeadSHA: r.headSHA, PRNumber: r.prNumber, PRHead: r.prHead,
		APIURL: r.apiURL, ServerURL: r.serverURL, RunURL: r.runURL(), ExternalID: r.externalID, Token: r.token,
		CheckRun: r.Inputs.CheckRun, CheckName: r.Inputs.CheckName, Comment: r.Inputs.Comment,
	}
}

// Publisher chooses the publisher: the REST API with the token, workflow
// commands in the log without one. Options.Log defaults to the log.
func (r *Run) Publisher(opts publish.Options) publish.Publisher {
	if opts.Log == nil {
		opts.Log = r.out
	}
	if r.token == "" {
		return publish.NewCommands(opts.Log)
	}
	return publish.NewAPI(r.target(), opts)
}
