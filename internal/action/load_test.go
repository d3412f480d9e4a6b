package action

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/publish/githubtest"
)

func baseEnv(eventName, eventPath string) map[string]string {
	return map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_REPOSITORY":   "Codertocat/Hello-World",
		"GITHUB_EVENT_NAME":   eventName,
		"GITHUB_EVENT_PATH":   eventPath,
		"GITHUB_SHA":          "9999999999999999999999999999999999999999",
		"GITHUB_RUN_ID":       "4242",
		"GITHUB_OUTPUT":       "/github/file_commands/output",
		"GITHUB_STEP_SUMMARY": "/github/file_commands/summary",
		"GITHUB_WORKSPACE":    "/github/workspace",
		"INPUT_GITHUB-TOKEN":  "ghs_secret",
	}
}

func TestLoadEvents(t *testing.T) {
	prOpened := githubtest.EventFile(t, "pull_request", "opened", nil)
	prFork := githubtest.EventFile(t, "pull_request", "synchronize", func(p map[string]any) {
		githubtest.Set(p, "pull_request.head.repo.full_name", "forker/Hello-World")
	})
	prDeletedFork := githubtest.EventFile(t, "pull_request", "synchronize", func(p map[string]any) {
		githubtest.Set(p, "pull_request.head.repo", nil)
	})
	push := githubtest.EventFile(t, "push", "", func(p map[string]any) { githubtest.Set(p, "ref", "refs/heads/main") })
	pushDeleted := githubtest.EventFile(t, "push", "", func(p map[string]any) {
		githubtest.Set(p, "after", zeroSHA)
		githubtest.Set(p, "deleted", true)
	})
	dispatch := githubtest.EventFile(t, "workflow_dispatch", "", nil)
	run := githubtest.EventFile(t, "workflow_run", "completed", func(p map[string]any) {
		githubtest.Set(p, "repository.full_name", "Codertocat/Hello-World")
		githubtest.Set(p, "workflow_run.event", "pull_request")
		githubtest.Set(p, "workflow_run.head_sha", prHeadSHA)
		githubtest.Set(p, "workflow_run.pull_requests", []any{map[string]any{"number": 9,
			"head": map[string]any{"sha": prHeadSHA}, "base": map[string]any{"sha": prBaseSHA}}})
		githubtest.Set(p, "workflow_run.head_repository.full_name", "Codertocat/Hello-World")
	})

	type want struct {
		PRNumber               int
		HeadSHA, BaseSHA       string
		HeadRepository, PRHead string
		Fork                   bool
	}
	for _, tc := range []struct {
		name, event, path string
		want              want
	}{
		{"pull_request opened", "pull_request", prOpened, want{prNumber, prHeadSHA, prBaseSHA, "Codertocat/Hello-World", "", false}},
		{"pull_request_target from a fork", "pull_request_target", prFork, want{prNumber, prHeadSHA, prBaseSHA, "forker/Hello-World", "", true}},
		{"pull_request from a deleted fork", "pull_request", prDeletedFork, want{prNumber, prHeadSHA, prBaseSHA, "", "", true}},
		{"push", "push", push, want{0, "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "", "", "", false}},
		{"push deleting a branch", "push", pushDeleted, want{0, "9999999999999999999999999999999999999999", "", "", "", false}},
		{"workflow_dispatch", "workflow_dispatch", dispatch, want{0, "9999999999999999999999999999999999999999", "", "", "", false}},
		{"schedule without payload", "schedule", "", want{0, "9999999999999999999999999999999999999999", "", "", "", false}},
		{"workflow_run of a pull request", "workflow_run", run, want{9, prHeadSHA, prBaseSHA, "Codertocat/Hello-World", "", false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			env := baseEnv(tc.event, tc.path)
			pc, err := Load(func(k string) string { return env[k] }, &out)
			if err != nil {
				t.Fatal(err)
			}
			got := want{pc.prNumber, pc.headSHA, pc.baseSHA, pc.headRepository, pc.prHead, pc.fork}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			if out.String() != "::add-mask::ghs_secret\n" {
				t.Errorf("log = %q, want the token masked", out.String())
			}
		})
	}
}

func TestLoadInputs(t *testing.T) {
	env := baseEnv("workflow_dispatch", "")
	env["INPUT_CONFIG"] = " .meshgate.yaml "
	env["INPUT_WORKING-DIRECTORY"] = "infra"
	env["INPUT_ENVIRONMENTS"] = "prod, staging\ndev"
	env["INPUT_FAIL-ON"] = "Warning"
	env["INPUT_FAIL-ON-EXISTING"] = "TRUE"
	env["INPUT_COMMENT"] = "on-findings"
	env["INPUT_CHECK-RUN"] = "false"
	env["INPUT_SARIF-FILE"] = "meshgate.sarif"
	env["INPUT_JSON-FILE"] = "meshgate.json"
	env["INPUT_CHANGED-ONLY"] = "True"
	env["INPUT_ALLOW-PULL-REQUEST-TARGET-HEAD"] = "true"
	env["GITHUB_API_URL"] = "https://ghe.example.com/api/v3/"
	pc, err := Load(func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Inputs{Config: ".meshgate.yaml", WorkingDirectory: "infra", Environments: []string{"prod", "staging", "dev"},
		FailOn: "warning", FailOnExisting: true, Comment: "on-findings", CheckRun: false, CheckName: "meshgate",
		SARIFFile: "meshgate.sarif", JSONFile: "meshgate.json", ChangedOnly: true, AllowPRTargetHead: true}
	if !reflect.DeepEqual(pc.Inputs, want) {
		t.Errorf("inputs = %+v\nwant %+v", pc.Inputs, want)
	}
	if pc.apiURL != "https://ghe.example.com/api/v3" || pc.serverURL != "https://github.com" || pc.owner != "Codertocat" || pc.repo != "Hello-World" {
		t.Errorf("run = %+v", pc)
	}
	if got := pc.repoPath("charts/a.yaml"); got != "infra/charts/a.yaml" {
		t.Errorf("repoPath = %q", got)
	}

	defaults, err := Load(func(k string) string { return baseEnv("push", "")[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := defaults.Inputs; d.FailOn != "error" || d.Comment != "true" || !d.CheckRun || d.CheckName != "meshgate" || len(d.Environments) != 0 ||
		d.ChangedOnly || d.AllowPRTargetHead || d.FailOnExisting {
		t.Errorf("defaults = %+v", d)
	}
	if defaults.apiURL != "https://api.github.com" {
		t.Errorf("API URL = %q", defaults.apiURL)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "event.json")
	if err := os.WriteFile(notJSON, []byte("on: push\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noPR := filepath.Join(dir, "nopr.json")
	if err := os.WriteFile(noPR, []byte(`{"action":"opened"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	for _, tc := range []struct {
		name string
		set  map[string]string
		want string
	}{
		{"event file missing", map[string]string{"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": missing},
			"event file " + missing + " (GITHUB_EVENT_PATH) does not exist"},
		{"event file not JSON", map[string]string{"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": notJSON},
			"event file " + notJSON + " (GITHUB_EVENT_PATH) is not a JSON event payload: invalid character 'o' looking for beginning of value"},
		{"pull_request without pull_request", map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": noPR},
			"event file " + noPR + ": a pull_request event without pull_request"},
		{"pull_request without payload", map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": ""},
			"GITHUB_EVENT_PATH is not set: a pull_request event needs its payload"},
		{"repository", map[string]string{"GITHUB_REPOSITORY": "hello"}, `GITHUB_REPOSITORY "hello": want owner/name`},
		{"API URL", map[string]string{"GITHUB_API_URL": "api.github.com"}, `GITHUB_API_URL "api.github.com": want an http(s) URL`},
		{"fail-on", map[string]string{"INPUT_FAIL-ON": "critical"}, `input fail-on "critical": want error, warning or never`},
		{"comment", map[string]string{"INPUT_COMMENT": "yes"}, `input comment "yes": want true, false or on-findings`},
		{"check-run", map[string]string{"INPUT_CHECK-RUN": "1"}, `input check-run "1": want true or false`},
		{"fail-on-existing", map[string]string{"INPUT_FAIL-ON-EXISTING": "strict"}, `input fail-on-existing "strict": want true or false`},
		{"allow-pull-request-target-head", map[string]string{"INPUT_ALLOW-PULL-REQUEST-TARGET-HEAD": "Yes"},
			`input allow-pull-request-target-head "yes": want true or false`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := baseEnv("workflow_dispatch", "")
			for k, v := range tc.set {
				env[k] = v
			}
			_, err := Load(func(k string) string { return env[k] }, nil)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v\nwant %s", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "ghs_secret") {
				t.Errorf("the error shows the token")
			}
		})
	}
}

func TestLoadTokenFromEnvironment(t *testing.T) {
	env := baseEnv("push", "")
	delete(env, "INPUT_GITHUB-TOKEN")
	env["GITHUB_TOKEN"] = "ghs_fromenv"
	var out bytes.Buffer
	pc, err := Load(func(k string) string { return env[k] }, &out)
	if err != nil {
		t.Fatal(err)
	}
	if pc.token != "ghs_fromenv" || out.String() != "::add-mask::ghs_fromenv\n" {
		t.Errorf("token not taken from GITHUB_TOKEN, log %q", out.String())
	}
}
