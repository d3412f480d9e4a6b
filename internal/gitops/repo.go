package gitops

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Repo is the set of URLs that mean this repository.
type Repo struct {
	urls map[string]bool
}

// NewRepo is the repository at root: the URLs of its git remotes (read
// from .git/config, without the git binary), the repository
// GITHUB_REPOSITORY names on GITHUB_SERVER_URL (default github.com), and
// extra (gitops.repoURLs). getenv may be nil.
func NewRepo(root string, getenv func(string) string, extra []string) Repo {
	r := Repo{urls: map[string]bool{}}
	for _, u := range gitRemotes(root) {
		r.add(u)
	}
	if getenv != nil {
		if repo := getenv("GITHUB_REPOSITORY"); repo != "" {
			server := getenv("GITHUB_SERVER_URL")
			if server == "" {
				server = "https://github.com"
			}
			r.add(strings.TrimSuffix(server, "/") + "/" + repo)
		}
	}
	for _, u := range extra {
		r.add(u)
	}
	return r
}

func (r Repo) add(u string) {
	if n := NormalizeURL(u); n != "" {
		r.urls[n] = true
	}
}

// Is reports whether url means this repository.
func (r Repo) Is(url string) bool { return r.urls[NormalizeURL(url)] }

// URLs are the normalized URLs of the repository, sorted.
func (r Repo) URLs() []string {
	out := make([]string, 0, len(r.urls))
	for u := range r.urls {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// NormalizeURL is a repository URL in one form, host/path in lower case,
// whatever way it is written: https://github.com/Acme/Apps.git,
// ssh://git@github.com/acme/apps, git@github.com:acme/apps and
// https://github.com/acme/apps/ are all github.com/acme/apps. "" for
// what is no repository URL.
func NormalizeURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if u == "" {
		return ""
	}
	if scheme, rest, ok := strings.Cut(u, "://"); ok && !strings.ContainsAny(scheme, "/@") {
		u = rest
	} else if at := strings.Index(u, ":"); at > 0 && !strings.Contains(u[:at], "/") {
		// scp-like: [user@]host:path
		u = u[:at] + "/" + strings.TrimPrefix(u[at+1:], "/")
	}
	host, p, _ := strings.Cut(u, "/")
	if at := strings.LastIndex(host, "@"); at >= 0 {
		host = host[at+1:]
	}
	if h, port, ok := strings.Cut(host, ":"); ok && port != "" && strings.Trim(port, "0123456789") == "" {
		host = h
	}
	for {
		trimmed := strings.TrimSuffix(strings.TrimSuffix(p, "/"), ".git")
		if trimmed == p {
			break
		}
		p = trimmed
	}
	if host == "" || p == "" {
		return ""
	}
	return host + "/" + p
}

// gitRemotes are the URLs of the remotes in the repository's git config:
// .git/config, or for a worktree or submodule the config its .git file
// leads to.
func gitRemotes(root string) []string {
	data, err := os.ReadFile(filepath.Join(gitDir(root), "config"))
	if err != nil {
		return nil
	}
	var urls []string
	inRemote := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			inRemote = strings.HasPrefix(line, "[remote ")
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if inRemote && ok && strings.EqualFold(strings.TrimSpace(key), "url") {
			urls = append(urls, strings.Trim(strings.TrimSpace(val), `"`))
		}
	}
	return urls
}

// maxGitFile bounds what is read of a .git file or commondir.
const maxGitFile = 4096

// gitDir is the folder holding the repository's config: root/.git, or
// where a .git file (worktree, submodule) points, and for a worktree its
// common folder.
func gitDir(root string) string {
	dotgit := filepath.Join(root, ".git")
	fi, err := os.Stat(dotgit)
	if err != nil || fi.IsDir() {
		return dotgit
	}
	data, err := readSmall(dotgit)
	if err != nil {
		return dotgit
	}
	dir, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
	if !ok {
		return dotgit
	}
	dir = strings.TrimSpace(dir)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	if common, err := readSmall(filepath.Join(dir, "commondir")); err == nil {
		c := strings.TrimSpace(string(common))
		if !filepath.IsAbs(c) {
			c = filepath.Join(dir, c)
		}
		return c
	}
	return dir
}

func readSmall(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, maxGitFile)
	n, err := f.Read(buf)
	if n == 0 {
		return nil, err
	}
	return buf[:n], nil
}
