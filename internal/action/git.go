package action

import (
	"context"
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/publish"
)

// Guard refuses to go on in a "pwn request": a pull_request_target run
// (which holds a write token and the repository's secrets) whose checkout
// at dir is a fork pull request's head, or a merge of it, so that the
// fork's code already ran or may run with those. meshgate itself renders
// untrusted input safely, but publishing from such a run would endorse the
// workflow; the fork-safe pattern checks in pull_request and publishes
// from workflow_run. The input allow-pull-request-target-head: true accepts
// the risk. A dir that is no git checkout is not recognised as one.
func (r *Run) Guard(ctx context.Context, dir string) error {
	if r.eventName != "pull_request_target" || !r.fork || r.headSHA == "" || r.Inputs.AllowPRTargetHead {
		return nil
	}
	out, err := engine.Git(ctx, dir, "rev-parse", "--verify", "HEAD").Output()
	if err != nil {
		return nil
	}
	head := strings.TrimSpace(string(out))
	// The head itself, or refs/pull/N/merge, whose parents include it.
	if !strings.EqualFold(head, r.headSHA) && engine.Git(ctx, dir, "merge-base", "--is-ancestor", r.headSHA, "HEAD").Run() != nil {
		return nil
	}
	fork := r.headRepository
	if fork == "" {
		fork = "a deleted fork"
	}
	return fmt.Errorf("refusing to run on pull_request_target with the code of pull request #%d from %s checked out (HEAD %s): "+
		"that code runs with this workflow's write token and secrets (a \"pwn request\"). "+
		"Check fork pull requests in a pull_request workflow and publish the report from a workflow_run workflow "+
		"(README, \"Fork pull requests\"), or check out the base branch; to accept the risk, set the input %s: true",
		r.prNumber, fork, shortSHA(head), inputAllowPRTargetHead)
}

// Base is what a pull request is compared with, so that fail-on counts
// only the gaps it brings: its base commit as a git ref when the checkout
// at dir has it (a run: step after fetch-depth: 0), else as GitHub's
// archive of it (BaseTree: the Action's image has no git); neither outside
// a pull request.
func (r *Run) Base(ctx context.Context, dir string, opts publish.Options) (ref string, tree *engine.BaseTree) {
	if r.prNumber == 0 || r.baseSHA == "" {
		return "", nil
	}
	if engine.Git(ctx, dir, "cat-file", "-e", r.baseSHA+"^{commit}").Run() == nil {
		return r.baseSHA, nil
	}
	return "", r.BaseTree(opts)
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
