package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// gitChangedFiles lists the files changed since ref, relative to root:
// `git diff` against the working tree (or between two refs given as
// A..B), plus untracked files when the working tree is compared.
func gitChangedFiles(ctx context.Context, root, ref string) ([]string, error) {
	out, err := Git(ctx, root, "diff", "--name-only", "--relative", "--no-renames", ref, "--").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("git diff: %s", strings.TrimSpace(string(out)))
	}
	files := strings.Fields(string(out))
	if !strings.Contains(ref, "..") {
		untracked, err := Git(ctx, root, "ls-files", "--others", "--exclude-standard").Output()
		if err != nil {
			return nil, fmt.Errorf("git ls-files: %w", err)
		}
		files = append(files, strings.Fields(string(untracked))...)
	}
	for i, f := range files {
		files[i] = path.Clean(f)
	}
	return files, nil
}

// onlyChanged keeps the environments whose inputs (config.Inputs) include
// a changed file.
func onlyChanged(cfg *config.Config, envs []config.Environment, changed []string) []config.Environment {
	var keep []config.Environment
	for _, e := range envs {
		inputs := cfg.Inputs(e)
		for _, f := range changed {
			if config.Touches(inputs, f) {
				keep = append(keep, e)
				break
			}
		}
	}
	return keep
}

// gitCheckRef fails with one clear line when ref cannot be used: dir is
// not in a git repository, or the repository has no such commit. With
// rangeOK, ref may be A..B.
func gitCheckRef(ctx context.Context, dir, flag, ref string, rangeOK bool) error {
	if err := Git(ctx, dir, "rev-parse", "--git-dir").Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s %s: %s is not inside a git repository, so there is nothing to compare with", flag, ref, dir)
	}
	refs := []string{ref}
	if a, b, ok := strings.Cut(ref, ".."); ok && rangeOK {
		refs = []string{a, strings.TrimPrefix(b, ".")}
	}
	for _, r := range refs {
		if r == "" {
			r = "HEAD"
		}
		if err := Git(ctx, dir, "rev-parse", "--verify", "--quiet", r+"^{commit}").Run(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s %s: the repository has no commit %q (is it fetched? actions/checkout needs fetch-depth: 0)", flag, ref, r)
		}
	}
	return nil
}

// Git is git run in dir. Its environment lets git work on a checkout owned
// by another user, as the workspace is inside GitHub's docker action
// container.
func Git(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*")
	return cmd
}
