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
	pr := r.eventName == "pull_request" || r.eventName == "pull_request_target"
	if r.eventPath == "" {
		if pr || r.eventName == "workflow_run" {
			return fmt.Errorf("GITHUB_EVENT_PATH is not set: a %s event needs its payload", r.eventName)
		}
		return nil
	}
	b, err := os.ReadFile(r.eventPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("event file %s (GITHUB_EVENT_PATH) does not exist", r.eventPath)
		}
		return fmt.Errorf("read event file %s: %w", r.eventPath, err)
	}
	var e event
	if err := json.Unmarshal(b, &e); err != nil {
		return fmt.Errorf("event file %s (GITHUB_EVENT_PATH) is not a JSON event payload: %w", r.eventPath, err)
	}
	switch {
	case pr:
		if e.PullRequest == nil {
			return fmt.Errorf("event file %s: a %s event without pull_request", r.eventPath, r.eventName)
		}
		r.prNumber = e.PullRequest.Number
		if r.prNumber == 0 {
			r.prNumber = e.Number
		}
		if r.prNumber <= 0 {
			return fmt.Errorf("event file %s: pull_request.number is missing", r.eventPath)
		}
		r.headSHA = e.PullRequest.Head.SHA
		r.baseSHA = e.PullRequest.Base.SHA
		base := r.repository
		if e.PullRequest.Base.Repo != nil && e.PullRequest.Base.Repo.FullName != "" {
			base = e.PullRequest.Base.Repo.FullName
		}
		if e.PullRequest.Head.Repo != nil {
			r.headRepository = e.PullRequest.Head.Repo.FullName
		}
		// A deleted fork has no head repository: it was a fork.
		r.fork = !strings.EqualFold(r.headRepository, base)
	case r.eventName == "push":
		if e.After != "" && e.After != zeroSHA && !e.Deleted {
			r.headSHA = e.After
		}
	case r.eventName == "workflow_run" && e.WorkflowRun != nil:
		// The fork-safe pattern: a privileged workflow publishes what an
		// unprivileged pull_request workflow checked.
		wr := e.WorkflowRun
		r.headSHA = wr.HeadSHA
		base := r.repository
		if e.Repository != nil && e.Repository.FullName != "" {
			base = e.Repository.FullName
		}
		if wr.HeadRepository != nil {
			r.headRepository = wr.HeadRepository.FullName
		}
		r.fork = r.headRepository != "" && !strings.EqualFold(r.headRepository, base)
		if wr.Event == "pull_request" || wr.Event == "pull_request_target" {
			for _, p := range wr.PullRequests {
				if p.Head.SHA == wr.HeadSHA || p.Head.SHA == "" {
					r.prNumber = p.Number
					r.baseSHA = p.Base.SHA
					break
				}
			}
			if r.prNumber == 0 && wr.HeadRepository != nil && wr.HeadBranch != "" {
				r.prHead = wr.HeadRepository.Owner.Login + ":" + wr.HeadBranch
			}
		}
	}
	return nil
}
