package action

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// zeroSHA is the "after" of a push that deleted a branch or tag.
const zeroSHA = "0000000000000000000000000000000000000000"

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

func (r *Run) readEvent() error {
	pr := r.EventName == "pull_request" || r.EventName == "pull_request_target"
	if r.EventPath == "" {
		if pr || r.EventName == "workflow_run" {
			return fmt.Errorf("GITHUB_EVENT_PATH is not set: a %s event needs its payload", r.EventName)
		}
		return nil
	}
	b, err := os.ReadFile(r.EventPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("event file %s (GITHUB_EVENT_PATH) does not exist", r.EventPath)
		}
		return fmt.Errorf("read event file %s: %w", r.EventPath, err)
	}
	var e event
	if err := json.Unmarshal(b, &e); err != nil {
		return fmt.Errorf("event file %s (GITHUB_EVENT_PATH) is not a JSON event payload: %w", r.EventPath, err)
	}
	switch {
	case pr:
		if e.PullRequest == nil {
			return fmt.Errorf("event file %s: a %s event without pull_request", r.EventPath, r.EventName)
		}
		r.PRNumber = e.PullRequest.Number
		if r.PRNumber == 0 {
			r.PRNumber = e.Number
		}
		if r.PRNumber <= 0 {
			return fmt.Errorf("event file %s: pull_request.number is missing", r.EventPath)
		}
		r.HeadSHA = e.PullRequest.Head.SHA
		r.BaseSHA = e.PullRequest.Base.SHA
		base := r.Repository
		if e.PullRequest.Base.Repo != nil && e.PullRequest.Base.Repo.FullName != "" {
			base = e.PullRequest.Base.Repo.FullName
		}
		if e.PullRequest.Head.Repo != nil {
			r.HeadRepository = e.PullRequest.Head.Repo.FullName
		}
		// A deleted fork has no head repository: it was a fork.
		r.Fork = !strings.EqualFold(r.HeadRepository, base)
	case r.EventName == "push":
		if e.After != "" && e.After != zeroSHA && !e.Deleted {
			r.HeadSHA = e.After
		}
	case r.EventName == "workflow_run" && e.WorkflowRun != nil:
		// The fork-safe pattern: a privileged workflow publishes what an
		// unprivileged pull_request workflow checked.
		wr := e.WorkflowRun
		r.HeadSHA = wr.HeadSHA
		base := r.Repository
		if e.Repository != nil && e.Repository.FullName != "" {
			base = e.Repository.FullName
		}
		if wr.HeadRepository != nil {
			r.HeadRepository = wr.HeadRepository.FullName
		}
		r.Fork = r.HeadRepository != "" && !strings.EqualFold(r.HeadRepository, base)
		if wr.Event == "pull_request" || wr.Event == "pull_request_target" {
			for _, p := range wr.PullRequests {
				if p.Head.SHA == wr.HeadSHA || p.Head.SHA == "" {
					r.PRNumber = p.Number
					r.BaseSHA = p.Base.SHA
					break
				}
			}
			if r.PRNumber == 0 && wr.HeadRepository != nil && wr.HeadBranch != "" {
				r.PRHead = wr.HeadRepository.Owner.Login + ":" + wr.HeadBranch
			}
		}
	}
	return nil
}
