package githubtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Pinned npm packages the tests read. The versions are part of the test
// contract: a new GitHub API description is adopted on purpose, not by drift.
const (
	OpenAPIPackage  = "@octokit/openapi@23.0.2"
	WebhooksPackage = "@octokit/webhooks-examples@7.6.1"
)

// NPMPackage returns the folder holding the files of the npm package spec
// (name@version), fetching it with `npm pack` into the git-ignored
// .cache/npm folder at the repository root on first use. A failure is an
// error, never a silent skip: the tests are meaningless without the package.
func NPMPackage(spec string) (string, error) {
	name, version, ok := splitSpec(spec)
	if !ok {
		return "", fmt.Errorf("npm package %q: want name@version", spec)
	}
	root, err := repoRoot()
	if err != nil {
		return "", fmt.Errorf("npm package %s: %w", spec, err)
	}
	cache := filepath.Join(root, ".cache", "npm")
	dest := filepath.Join(cache, strings.NewReplacer("/", "+", "@", "").Replace(name)+"@"+version)
	pkgDir := filepath.Join(dest, "package")
	if v, err := packageVersion(pkgDir); err == nil && v == version {
		return pkgDir, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("npm package %s: %w", spec, err)
	}
	tmp, err := os.MkdirTemp(cache, "pack-")
	if err != nil {
		return "", fmt.Errorf("npm package %s: %w", spec, err)
	}
	defer os.RemoveAll(tmp)

	cmd := exec.Command("npm", "pack", spec, "--pack-destination", tmp, "--silent")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return "", fmt.Errorf("npm pack %s (the tests need npm and access to the npm registry): %w", spec, err)
	}
	tgzs, err := filepath.Glob(filepath.Join(tmp, "*.tgz"))
	if err != nil || len(tgzs) != 1 {
		return "", fmt.Errorf("npm pack %s: expected one .tgz in %s, found %d", spec, tmp, len(tgzs))
	}
	staged := filepath.Join(tmp, "x")
	if err := extractTGZ(tgzs[0], staged); err != nil {
		return "", fmt.Errorf("npm package %s: extract: %w", spec, err)
	}
	if v, err := packageVersion(filepath.Join(staged, "package")); err != nil || v != version {
		return "", fmt.Errorf("npm package %s: the packed package.json has version %q (%v)", spec, v, err)
	}
	// A rename is atomic and fails onto a folder that exists, so test
	// binaries of several packages running at once never see a
	// half-extracted folder, and the loser of a race uses the winner's copy.
	if err := os.Rename(staged, dest); err != nil {
		if v, verr := packageVersion(pkgDir); verr == nil && v == version {
			return pkgDir, nil
		}
		// A broken copy from an interrupted run: replace it.
		if err := os.RemoveAll(dest); err != nil {
			return "", fmt.Errorf("npm package %s: %w", spec, err)
		}
		if err := os.Rename(staged, dest); err != nil {
			return "", fmt.Errorf("npm package %s: %w", spec, err)
		}
	}
	return pkgDir, nil
}

// npmFile is the path of a file of the npm package spec, fetched as
// NPMPackage does; elem is its path inside the package.
func npmFile(spec string, elem ...string) (string, error) {
	dir, err := NPMPackage(spec)
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{dir}, elem...)...), nil
}

func splitSpec(spec string) (name, version string, ok bool) {
	i := strings.LastIndex(spec, "@")
	if i <= 0 || i == len(spec)-1 {
		return "", "", false
	}
	return spec[:i], spec[i+1:], true
}

func packageVersion(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Join(dir, "package.json"), err)
	}
	return p.Version, nil
}

// repoRoot is the nearest folder above the working directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func extractTGZ(file, dest string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return fmt.Errorf("entry %q leaves the package folder", h.Name)
		}
		target := filepath.Join(dest, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, tr); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
		}
	}
}
