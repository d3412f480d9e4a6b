package publish

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/sethvargo/go-githubactions"
)

// Values of the comment input.
const (
	CommentAlways     = "true"
	CommentNever      = "false"
	CommentOnFindings = "on-findings"
)

// DefaultCheckName is the check-name input's default.
const DefaultCheckName = "meshgate"

// zeroSHA is the "after" of a push that deleted a branch or tag.
const zeroSHA = "0000000000000000000000000000000000000000"

// Inputs are the action's inputs (action.yml), validated.
type Inputs struct {
	Config           string
	WorkingDirectory string
	// Environments is the environments input split on commas, spaces and
	// newlines; empty means every environment.
	Environments []string
	FailOn       string // error | warning | never
	Comment      string // CommentAlways | CommentNever | CommentOnFindings
	CheckRun     bool
	CheckName    string
	SARIFFile    string
	JSONFile     string
}

// Context is what publishing needs to know about the workflow run: the
// inputs, the event and the file-command files. LoadContext fills it from
// the environment GitHub gives a docker action; the CLI may change fields
// (meshgate publish can name the pull request and the commit itself).
type Context struct {
	Inputs Inputs

	EventName string // GITHUB_EVENT_NAME
	EventPath string // GITHUB_EVENT_PATH
	// Repository is owner/name (GITHUB_REPOSITORY); Owner and Repo split it.
	Repository, Owner, Repo string
	// SHA is GITHUB_SHA; HeadSHA is the commit the check run and review
	// comments go on: the pull request's head, the pushed commit, or SHA.
	SHA, HeadSHA, BaseSHA string
	// PRNumber is the pull request's number, 0 outside pull requests.
	PRNumber int
	// HeadRepository is the full name of the pull request's head
	// repository; Fork is true when it is not Repository (its token is
	// read-only).
	HeadRepository string
	Fork           bool
	// PRHead is "owner:branch" of a workflow_run's pull request when the
	// event does not carry its number (GitHub leaves pull_requests empty
	// for forks); Publish then looks the pull request up.
	PRHead string

	APIURL    string // GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3)
	ServerURL string // GITHUB_SERVER_URL
	RunID     string // GITHUB_RUN_ID
	// RunAttempt is GITHUB_RUN_ATTEMPT ("1" when unset).
	RunAttempt string

	OutputFile      string // GITHUB_OUTPUT
	StepSummaryFile string // GITHUB_STEP_SUMMARY
	Workspace       string // GITHUB_WORKSPACE

	// ExternalID identifies this process's check run among runs of the
	// same name on the same commit, so that a create whose answer was lost
	// can be found again instead of repeated.
	ExternalID string

	// CheckRunID is the check run Start created (0 before).
	CheckRunID int64
	// CheckRunURL is its page.
	CheckRunURL string

	token  string
	action *githubactions.Action
	out    io.Writer
	// missing holds permissions a write was refused for, across Start and
	// Publish, so the message about them is given once.
	missing map[string]bool
	// badToken is GitHub's answer to a token it rejected (401); once set,
	// nothing more is asked of GitHub, since no call can succeed.
	badToken string
	// notFound lists the calls GitHub answered 404, for one message;
	// hidden holds their permissions, so a create is not asked again.
	notFound []string
	hidden   map[string]bool
}

// LoadContext reads the action's inputs and the workflow run from getenv (the
// environment GitHub sets for a docker action) and parses the event payload.
// Workflow commands, such as the mask for the token, go to out (the log).
// Invalid inputs and an unreadable event file are errors that name the input
// or the file.
func LoadContext(getenv func(string) string, out io.Writer) (*Context, error) {
	if out == nil {
		out = io.Discard
	}
	action := githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(out))
	c := &Context{action: action, out: out, missing: map[string]bool{}, hidden: map[string]bool{}}

	c.token = action.GetInput("github-token")
	if c.token == "" {
		// meshgate publish runs as a plain step, where the token comes
		// as an environment variable rather than an action input.
		c.token = strings.TrimSpace(getenv("GITHUB_TOKEN"))
	}
	if c.token != "" {
		// Masked before anything else is logged.
		action.AddMask(c.token)
	}
	in, err := readInputs(action)
	if err != nil {
		return nil, err
	}
	c.Inputs = in

	c.EventName = getenv("GITHUB_EVENT_NAME")
	c.EventPath = getenv("GITHUB_EVENT_PATH")
	c.Repository = getenv("GITHUB_REPOSITORY")
	c.SHA = getenv("GITHUB_SHA")
	c.RunID = getenv("GITHUB_RUN_ID")
	c.RunAttempt = getenv("GITHUB_RUN_ATTEMPT")
	if c.RunAttempt == "" {
		c.RunAttempt = "1"
	}
	c.OutputFile = getenv("GITHUB_OUTPUT")
	c.StepSummaryFile = getenv("GITHUB_STEP_SUMMARY")
	c.Workspace = getenv("GITHUB_WORKSPACE")

	owner, repo, ok := strings.Cut(c.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("GITHUB_REPOSITORY %q: want owner/name", c.Repository)
	}
	c.Owner, c.Repo = owner, repo

	c.APIURL = strings.TrimSuffix(getenv("GITHUB_API_URL"), "/")
	if c.APIURL == "" {
		c.APIURL = "https://api.github.com"
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q: want an http(s) URL", c.APIURL)
	}
	c.ServerURL = strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/")
	if c.ServerURL == "" {
		c.ServerURL = "https://github.com"
	}

	if err := c.readEvent(); err != nil {
		return nil, err
	}
	if c.HeadSHA == "" {
		c.HeadSHA = c.SHA
	}
	var nonce [4]byte
	_, _ = rand.Read(nonce[:])
	c.ExternalID = fmt.Sprintf("meshgate/%s/%s/%s", c.RunID, c.RunAttempt, hex.EncodeToString(nonce[:]))
	return c, nil
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
		in.Comment = CommentAlways
	case CommentAlways, CommentNever, CommentOnFindings:
	default:
		return in, fmt.Errorf("input comment %q: want true, false or on-findings", in.Comment)
	}
	switch v := strings.ToLower(a.GetInput("check-run")); v {
	case "", "true":
		in.CheckRun = true
	case "false":
	default:
		return in, fmt.Errorf("input check-run %q: want true or false", v)
	}
	if in.CheckName == "" {
		in.CheckName = DefaultCheckName
	}
	return in, nil
}

// event is the part of the webhook payloads meshgate reads.
type event struct {
	Number      int    `json:"number"`
	After       string `json:"after"`
	Deleted     bool   `json:"deleted"`
	PullRequest *struct {
		Number int `json:"number"`
		Head   struct {
			SHA  string    `json:"sha"`
			Repo *repoName `json:"repo"`
		} `json:"head"`
		Base struct {
			SHA  string    `json:"sha"`
			Repo *repoName `json:"repo"`
		} `json:"base"`
	} `json:"pull_request"`
	Repository  *repoName `json:"repository"`
	WorkflowRun *struct {
		Event        string `json:"event"`
		HeadSHA      string `json:"head_sha"`
		HeadBranch   string `json:"head_branch"`
		PullRequests []struct {
			Number int `json:"number"`
			Head   struct {
				SHA string `json:"sha"`
			} `json:"head"`
			Base struct {
				SHA string `json:"sha"`
			} `json:"base"`
		} `json:"pull_requests"`
		HeadRepository *struct {
			FullName string `json:"full_name"`
			Owner    struct {
				Login string `json:"login"`
			} `json:"owner"`
		} `json:"head_repository"`
	} `json:"workflow_run"`
}

type repoName struct {
	FullName string `json:"full_name"`
}

func (c *Context) readEvent() error {
	pr := c.EventName == "pull_request" || c.EventName == "pull_request_target"
	if c.EventPath == "" {
		if pr || c.EventName == "workflow_run" {
			return fmt.Errorf("GITHUB_EVENT_PATH is not set: a %s event needs its payload", c.EventName)
		}
		return nil
	}
	b, err := os.ReadFile(c.EventPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("event file %s (GITHUB_EVENT_PATH) does not exist", c.EventPath)
		}
		return fmt.Errorf("read event file %s: %w", c.EventPath, err)
	}
	var e event
	if err := json.Unmarshal(b, &e); err != nil {
		return fmt.Errorf("event file %s (GITHUB_EVENT_PATH) is not a JSON event payload: %w", c.EventPath, err)
	}
	switch {
	case pr:
		if e.PullRequest == nil {
			return fmt.Errorf("event file %s: a %s event without pull_request", c.EventPath, c.EventName)
		}
		c.PRNumber = e.PullRequest.Number
		if c.PRNumber == 0 {
			c.PRNumber = e.Number
		}
		if c.PRNumber <= 0 {
			return fmt.Errorf("event file %s: pull_request.number is missing", c.EventPath)
		}
		c.HeadSHA = e.PullRequest.Head.SHA
		c.BaseSHA = e.PullRequest.Base.SHA
		base := c.Repository
		if e.PullRequest.Base.Repo != nil && e.PullRequest.Base.Repo.FullName != "" {
			base = e.PullRequest.Base.Repo.FullName
		}
		if e.PullRequest.Head.Repo != nil {
			c.HeadRepository = e.PullRequest.Head.Repo.FullName
		}
		// A deleted fork has no head repository: it was a fork.
		c.Fork = !strings.EqualFold(c.HeadRepository, base)
	case c.EventName == "push":
		if e.After != "" && e.After != zeroSHA && !e.Deleted {
			c.HeadSHA = e.After
		}
	case c.EventName == "workflow_run" && e.WorkflowRun != nil:
		// The fork-safe pattern: a privileged workflow publishes what an
		// unprivileged pull_request workflow checked.
		wr := e.WorkflowRun
		c.HeadSHA = wr.HeadSHA
		base := c.Repository
		if e.Repository != nil && e.Repository.FullName != "" {
			base = e.Repository.FullName
		}
		if wr.HeadRepository != nil {
			c.HeadRepository = wr.HeadRepository.FullName
		}
		c.Fork = c.HeadRepository != "" && !strings.EqualFold(c.HeadRepository, base)
		if wr.Event == "pull_request" || wr.Event == "pull_request_target" {
			for _, p := range wr.PullRequests {
				if p.Head.SHA == wr.HeadSHA || p.Head.SHA == "" {
					c.PRNumber = p.Number
					c.BaseSHA = p.Base.SHA
					break
				}
			}
			if c.PRNumber == 0 && wr.HeadRepository != nil && wr.HeadBranch != "" {
				c.PRHead = wr.HeadRepository.Owner.Login + ":" + wr.HeadBranch
			}
		}
	}
	return nil
}

// RunURL is the workflow run's page.
func (c *Context) RunURL() string {
	if c.RunID == "" {
		return ""
	}
	return c.ServerURL + "/" + c.Repository + "/actions/runs/" + c.RunID
}

// HasToken reports whether there is a token (the github-token input, else
// GITHUB_TOKEN).
func (c *Context) HasToken() bool { return c.token != "" }

// Action is the githubactions helper bound to the context's environment and
// log writer, for the CLI's ::group:: lines.
func (c *Context) Action() *githubactions.Action { return c.action }

// repoPath turns a path of the report (relative to working-directory) into
// a path relative to the repository root, as annotations and review
// comments need.
func (c *Context) repoPath(p string) string {
	if p == "" {
		return ""
	}
	p = filepath.ToSlash(p)
	if path.IsAbs(p) {
		if ws := filepath.ToSlash(c.Workspace); ws != "" && strings.HasPrefix(p, strings.TrimSuffix(ws, "/")+"/") {
			return strings.TrimPrefix(p, strings.TrimSuffix(ws, "/")+"/")
		}
		return p
	}
	return path.Join(c.pathPrefix(), p)
}

// pathPrefix is working-directory relative to the workspace ("" for the root).
func (c *Context) pathPrefix() string {
	wd := filepath.ToSlash(c.Inputs.WorkingDirectory)
	if wd == "" {
		return ""
	}
	if path.IsAbs(wd) {
		ws := strings.TrimSuffix(filepath.ToSlash(c.Workspace), "/")
		if ws == "" || !strings.HasPrefix(wd+"/", ws+"/") {
			return ""
		}
		wd = strings.TrimPrefix(strings.TrimPrefix(wd, ws), "/")
	}
	wd = path.Clean(wd)
	if wd == "." || strings.HasPrefix(wd, "../") || wd == ".." {
		return ""
	}
	return wd
}
