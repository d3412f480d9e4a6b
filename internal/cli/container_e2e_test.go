//go:build container

package cli

// The action's container, run as GitHub runs a docker action, must pass the
// binary's end-to-end scenarios. scripts/container-test.sh builds the image
// and runs this test with MESHGATE_IMAGE naming it:
//
//	MESHGATE_IMAGE=localhost/meshgate:e2e go test -tags container -run TestContainer ./internal/cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestContainer(t *testing.T) {
	image := os.Getenv("MESHGATE_IMAGE")
	if image == "" {
		t.Fatal("MESHGATE_IMAGE is not set: scripts/container-test.sh builds the image and sets it")
	}
	if _, err := exec.LookPath("podman"); err != nil {
		t.Fatal("podman is not installed: scripts/container-test.sh installs it")
	}
	runStep := runContainer(t, image)

	t.Run("Version", func(t *testing.T) {
		cmd := exec.CommandContext(t.Context(), "podman", podmanRun(image, "version")...)
		res := runProcess(t, cmd)
		if res.code != 0 || res.stdout != "meshgate "+e2eVersion+"\n" || res.stderr != "" {
			t.Errorf("meshgate version: exit code %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
	})
	t.Run("PullRequestOpened", func(t *testing.T) { scenarioPullRequestOpened(t, runStep) })
	t.Run("PushToMain", func(t *testing.T) { scenarioPush(t, runStep) })
}

// podmanRun is `podman run` of image with args, as the runner's
// `docker run` (without a daemon: runc, the host's network, and limits
// that the runner's defaults keep low).
func podmanRun(image string, args ...string) []string {
	return append([]string{
		"--log-level=error", "--runtime", "runc", "run", "--rm", "--network=host",
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", image,
	}, args...)
}

// runContainer runs a step in the image as the runner does: the step's
// folders mounted where GitHub mounts them, the environment's paths
// rewritten to those mounts, the workspace as working directory, and
// action.yml's runs.args as the arguments.
func runContainer(t *testing.T, image string) e2eRunner {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Runs struct {
			Using string   `yaml:"using"`
			Image string   `yaml:"image"`
			Args  []string `yaml:"args"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "docker" || action.Runs.Image != "Dockerfile" {
		t.Fatalf("action.yml runs %s %s, want a docker action built from Dockerfile", action.Runs.Using, action.Runs.Image)
	}
	return func(t *testing.T, s *e2eStep, args ...string) e2eResult {
		t.Helper()
		if len(args) == 0 {
			args = action.Runs.Args
		}
		mounts := [][2]string{
			{s.ws, "/github/workspace"},
			{s.workflow, "/github/workflow"},
			{s.fileCommands, "/github/file_commands"},
			{s.home, "/github/home"},
		}
		run := []string{"--workdir", "/github/workspace"}
		for _, m := range mounts {
			run = append(run, "--volume", m[0]+":"+m[1])
		}
		var env []string
		for k, v := range s.env {
			for _, m := range mounts {
				if v == m[0] || strings.HasPrefix(v, m[0]+"/") {
					v = m[1] + strings.TrimPrefix(v, m[0])
					break
				}
			}
			env = append(env, k+"="+v)
		}
		sort.Strings(env)
		for _, kv := range env {
			run = append(run, "--env", kv)
		}
		full := podmanRun(image, args...)
		// The options go before the image.
		at := len(full) - len(args) - 1
		cmdArgs := append(append(append([]string{}, full[:at]...), run...), full[at:]...)
		cmd := exec.CommandContext(t.Context(), "podman", cmdArgs...)
		return runProcess(t, cmd)
	}
}
