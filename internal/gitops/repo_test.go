package gitops

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/acme/apps", "github.com/acme/apps"},
		{"https://github.com/Acme/Apps.git", "github.com/acme/apps"},
		{"https://github.com/acme/apps/", "github.com/acme/apps"},
		{"https://github.com/acme/apps.git/", "github.com/acme/apps"},
		{"http://github.com/acme/apps", "github.com/acme/apps"},
		{"ssh://git@github.com/acme/apps.git", "github.com/acme/apps"},
		{"ssh://git@github.com:22/acme/apps", "github.com/acme/apps"},
		{"git@github.com:acme/apps.git", "github.com/acme/apps"},
		{"git@github.com:/acme/apps", "github.com/acme/apps"},
		{"https://user:token@gitlab.example.com/group/sub/apps.git", "gitlab.example.com/group/sub/apps"},
		{"git+ssh://git@host.example.com/apps", "host.example.com/apps"},
		{"  https://github.com/acme/apps  ", "github.com/acme/apps"},
		{"https://github.com", ""},
		{"", ""},
		{"apps", ""},
	}
	for _, tt := range tests {
		if got := NormalizeURL(tt.in); got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

const gitConfig = `[core]
	bare = false
[remote "origin"]
	url = git@github.com:acme/platform.git
	fetch = +refs/heads/*:refs/remotes/origin/*
[remote "mirror"]
	url = "https://git.example.com/mirror/platform"
[branch "main"]
	remote = origin
`

func TestNewRepo(t *testing.T) {
	root := testrepo.New(t, map[string]string{".git/config": gitConfig})
	env := map[string]string{"GITHUB_REPOSITORY": "acme/checked", "GITHUB_SERVER_URL": "https://ghe.example.com"}
	r := NewRepo(root, func(k string) string { return env[k] }, []string{"https://old.example.com/platform.git"})
	want := []string{"ghe.example.com/acme/checked", "git.example.com/mirror/platform", "github.com/acme/platform", "old.example.com/platform"}
	if got := r.URLs(); !reflect.DeepEqual(got, want) {
		t.Errorf("URLs() = %q, want %q", got, want)
	}
	for _, u := range []string{"https://github.com/acme/platform", "https://GitHub.com/acme/platform.git/", "https://ghe.example.com/acme/checked"} {
		if !r.Is(u) {
			t.Errorf("Is(%q) = false", u)
		}
	}
	if r.Is("https://github.com/acme/other") {
		t.Error("Is(another repository) = true")
	}
}

// TestNewRepoWorktree: a worktree's .git is a file naming its folder in the
// main repository, whose commondir leads to the config.
func TestNewRepoWorktree(t *testing.T) {
	main := testrepo.New(t, map[string]string{".git/config": gitConfig, ".git/worktrees/wt/commondir": "../..\n"})
	wt := testrepo.New(t, map[string]string{".git": "gitdir: " + filepath.Join(main, ".git", "worktrees", "wt") + "\n"})
	if r := NewRepo(wt, nil, nil); !r.Is("https://github.com/acme/platform") {
		t.Errorf("worktree: URLs() = %q", r.URLs())
	}
	// GITHUB_REPOSITORY alone, on github.com by default.
	bare := t.TempDir()
	r := NewRepo(bare, func(k string) string { return map[string]string{"GITHUB_REPOSITORY": "acme/apps"}[k] }, nil)
	if got := r.URLs(); !reflect.DeepEqual(got, []string{"github.com/acme/apps"}) {
		t.Errorf("GITHUB_REPOSITORY: URLs() = %q", got)
	}
}
