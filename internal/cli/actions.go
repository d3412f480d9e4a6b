package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/report"
)

// inActions reports whether meshgate runs as a GitHub Actions step.
func inActions(getenv func(string) string) bool { return getenv("GITHUB_ACTIONS") == "true" }

// actionRun is the Actions side of one `meshgate check`: the inputs applied
// to the options, the check run started early, the report published late.
type actionRun struct {
	pc         *publish.Context
	reportPath string
	// sarifFile is the sarif-file input: written from the report with
	// repository-relative paths, as code scanning resolves them from the
	// checkout's root, not from working-directory.
	sarifFile string
}

// retryWait replaces how publishing waits between retries of GitHub's
// transient failures; nil fields mean a real wait with random jitter. Tests
// set it so that a flaky API costs them no time.
var retryWait struct {
	sleep  func(context.Context, time.Duration) error
	jitter func(time.Duration) time.Duration
}

// startAction reads the action's inputs and event and applies them to o.
// Inputs fill only what the command line left unset.
func startAction(ctx context.Context, s Streams, o *checkOptions) (*actionRun, error) {
	pc, err := publish.LoadContext(s.Getenv, s.Stdout)
	if err != nil {
		return nil, usagef("github action: %v", err)
	}
	in := pc.Inputs
	if o.Dir == "." && in.WorkingDirectory != "" {
		o.Dir = in.WorkingDirectory
	}
	if err := refusePwnRequest(ctx, s, o.Dir, pc); err != nil {
		return nil, err
	}
	if o.Config == "" {
		o.Config = in.Config
	}
	if len(o.Envs) == 0 {
		o.Envs = in.Environments
	}
	if !o.failOnSet && in.FailOn != "" {
		o.FailOn = in.FailOn
	}
	ar := &actionRun{pc: pc, reportPath: in.JSONFile, sarifFile: in.SARIFFile}
	if in.JSONFile != "" {
		o.Outputs = append(o.Outputs, output{Format: report.FormatJSON, File: in.JSONFile})
	}
	// In a pull request, compare with the base commit when the checkout
	// has it, so that fail-on counts only the gaps this change brings.
	if o.BaseRef == "" && o.Baseline == "" && pc.PRNumber > 0 && pc.BaseSHA != "" && hasCommit(ctx, o.Dir, pc.BaseSHA) {
		o.BaseRef = pc.BaseSHA
		o.autoBase = true
	}
	if strings.EqualFold(s.Getenv("INPUT_CHANGED-ONLY"), "true") && o.ChangedSince == "" {
		changedOnly(ctx, s, o, pc)
	}
	return ar, nil
}

// start creates the check run in_progress. It runs once the configuration
// has loaded, so that a configuration error (exit 2) leaves no check run
// behind that would never complete.
func (ar *actionRun) start(ctx context.Context, o *checkOptions) error {
	if err := publish.Start(ctx, ar.pc, publish.Options{FailOn: o.FailOn, ToolVersion: Version(),
		Sleep: retryWait.sleep, Jitter: retryWait.jitter}); err != nil {
		return fmt.Errorf("github action: %w", err)
	}
	return nil
}

// finish writes the sarif-file and publishes the report; the exit code
// stays the findings'.
func (ar *actionRun) finish(ctx context.Context, s Streams, o *checkOptions, rep report.Report, onlyNew bool) error {
	if ar.sarifFile != "" {
		if err := writeOutputs(s, []output{{Format: report.FormatSARIF, File: ar.sarifFile}}, ar.pc.RepoRelative(rep)); err != nil {
			return err
		}
	}
	_, err := publish.Publish(ctx, ar.pc, rep, publish.Options{
		FailOn:      o.FailOn,
		OnlyNew:     onlyNew,
		ReportPath:  ar.reportPath,
		ToolVersion: Version(),
		Sleep:       retryWait.sleep,
		Jitter:      retryWait.jitter,
	})
	if err != nil {
		return fmt.Errorf("github action: %w", err)
	}
	return nil
}

// logGroups writes one collapsible log group per environment, with its
// timing and its findings in the text format.
func logGroups(s Streams, rep report.Report) {
	for _, e := range rep.Environments {
		sub := report.Report{Version: rep.Version, Tool: rep.Tool, Environments: []report.Environment{e}}
		for _, f := range rep.Findings {
			if f.Environment == e.Name {
				sub.Findings = append(sub.Findings, f)
			}
		}
		for _, f := range rep.Ignored {
			if f.Environment == e.Name {
				sub.Ignored = append(sub.Ignored, f)
			}
		}
		sub.Finalize()
		fmt.Fprintf(s.Stdout, "::group::%s: %d workloads, %d findings (%d ms)\n", e.Name, e.Workloads, len(sub.Findings), e.DurationMs)
		var buf bytes.Buffer
		if err := report.Text(&buf, sub, report.Options{}); err == nil {
			s.Stdout.Write(buf.Bytes())
		}
		fmt.Fprintln(s.Stdout, "::endgroup::")
	}
}

// hasCommit reports whether the repository at dir has commit sha.
func hasCommit(ctx context.Context, dir, sha string) bool {
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "cat-file", "-e", sha+"^{commit}")
	cmd.Env = gitEnv()
	return cmd.Run() == nil
}

// gitEnv lets git work on a checkout owned by another user, as the
// workspace is inside GitHub's docker action container.
func gitEnv() []string {
	return append(os.Environ(), "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*")
}

// changedOnly applies the changed-only input: in a pull request, only the
// environments whose inputs the pull request's files touch are checked.
// The files come from the API, as the action's image has no git.
func changedOnly(ctx context.Context, s Streams, o *checkOptions, pc *publish.Context) {
	if pc.PRNumber == 0 {
		fmt.Fprintln(s.Stdout, "meshgate: changed-only applies to pull requests; checking every environment")
		return
	}
	files, err := publish.ChangedFiles(ctx, pc, publish.Options{FailOn: o.FailOn, Sleep: retryWait.sleep, Jitter: retryWait.jitter})
	if err != nil {
		fmt.Fprintf(s.Stdout, "::warning title=meshgate::changed-only: cannot list the pull request's files (%v); checking every environment\n", err)
		return
	}
	o.changedFiles = append([]string{}, files...)
	o.changedFrom = fmt.Sprintf("the base of pull request #%d", pc.PRNumber)
}

// allowPRTargetHeadInput is the action input that lets meshgate publish from
// a pull_request_target run that checked out a fork's code.
const allowPRTargetHeadInput = "allow-pull-request-target-head"

// refusePwnRequest refuses to go on in a "pwn request": a
// pull_request_target run (which holds a write token and the repository's
// secrets) whose workspace is a fork pull request's head, or a merge of it,
// so that the fork's code already ran or may run with those. meshgate itself
// renders untrusted input safely, but publishing from such a run would
// endorse the workflow; the fork-safe pattern checks in pull_request and
// publishes from workflow_run. The input allow-pull-request-target-head:
// true accepts the risk. A workspace that is no git checkout is not
// recognised as one.
func refusePwnRequest(ctx context.Context, s Streams, dir string, pc *publish.Context) error {
	allow := strings.ToLower(strings.TrimSpace(s.Getenv("INPUT_" + strings.ToUpper(allowPRTargetHeadInput))))
	switch allow {
	case "", "false", "true":
	default:
		return usagef("github action: input %s %q: want true or false", allowPRTargetHeadInput, allow)
	}
	if pc.EventName != "pull_request_target" || !pc.Fork || pc.HeadSHA == "" || allow == "true" {
		return nil
	}
	out, err := gitCmd(ctx, dir, "rev-parse", "--verify", "HEAD").Output()
	if err != nil {
		return nil
	}
	head := strings.TrimSpace(string(out))
	// The head itself, or refs/pull/N/merge, whose parents include it.
	if !strings.EqualFold(head, pc.HeadSHA) && gitCmd(ctx, dir, "merge-base", "--is-ancestor", pc.HeadSHA, "HEAD").Run() != nil {
		return nil
	}
	fork := pc.HeadRepository
	if fork == "" {
		fork = "a deleted fork"
	}
	return usagef("github action: refusing to run on pull_request_target with the code of pull request #%d from %s checked out (HEAD %s): "+
		"that code runs with this workflow's write token and secrets (a \"pwn request\"). "+
		"Check fork pull requests in a pull_request workflow and publish the report from a workflow_run workflow "+
		"(README, \"Fork pull requests\"), or check out the base branch; to accept the risk, set the input %s: true",
		pc.PRNumber, fork, shortSHA(head), allowPRTargetHeadInput)
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func gitCmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = gitEnv()
	return cmd
}
