package cli

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// gitChangedFiles lists the files changed since ref, relative to root:
// `git diff` against the working tree (or between two refs given as
// A..B), plus untracked files when the working tree is compared.
func gitChangedFiles(ctx context.Context, root, ref string) ([]string, error) {
	out, err := gitCmd(ctx, root, "diff", "--name-only", "--relative", "--no-renames", ref, "--").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("git diff: %s", strings.TrimSpace(string(out)))
	}
	files := strings.Fields(string(out))
	if !strings.Contains(ref, "..") {
		untracked, err := gitCmd(ctx, root, "ls-files", "--others", "--exclude-standard").Output()
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

// describeChanged says on stderr which environments --changed-since kept.
func describeChanged(s Streams, since string, kept, all []config.Environment) {
	names := make([]string, len(kept))
	for i, e := range kept {
		names[i] = e.Name
	}
	list := strings.Join(names, ", ")
	if list == "" {
		list = "none"
	}
	fmt.Fprintf(s.Stderr, "meshgate: %d of %d environment(s) changed since %s: %s\n", len(kept), len(all), since, list)
}
