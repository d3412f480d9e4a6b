package gitops

import (
	"fmt"
	"path"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// repoPath resolves p, written relative to dir (a repository folder) or,
// when it starts with "/", to the repository root, as Argo CD resolves a
// source path or a values file (util/io/path/resolved.go,
// resolveFileOrDirectory): the result must stay inside the repository.
// Symbolic links are not followed here: the renderers read through the
// repository's root, which refuses a link that leads out.
func repoPath(dir, p string) (string, error) {
	var joined string
	if strings.HasPrefix(p, "/") {
		joined = path.Clean(strings.TrimLeft(p, "/"))
	} else {
		joined = path.Join(dir, p)
	}
	if joined == "" {
		joined = "."
	}
	if joined == ".." || strings.HasPrefix(joined, "../") {
		return "", fmt.Errorf("%q leads out of the repository", p)
	}
	return joined, nil
}

// isDir reports a folder of the repository.
func isDir(root, rel string) bool {
	fi, err := config.StatInRoot(root, rel)
	return err == nil && fi.IsDir()
}

// exists reports a file or folder of the repository.
func exists(root, rel string) bool {
	_, err := config.StatInRoot(root, rel)
	return err == nil
}
