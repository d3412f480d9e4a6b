package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileNames are the config file names looked up in the repository root, in
// order.
var FileNames = []string{".meshgate.yaml", ".meshgate.yml"}

// Find returns the absolute path of the config file to use: explicit (the
// --config flag, relative to root unless absolute), which must exist, or else
// root/.meshgate.yaml or root/.meshgate.yml. It returns "" when there is no
// config file, and the caller discovers environments instead.
func Find(root, explicit string) (string, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("find config: %w", err)
	}
	if explicit != "" {
		p := explicit
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("config file %s does not exist", explicit)
		case err != nil:
			return "", fmt.Errorf("config file %s: %w", explicit, err)
		case fi.IsDir():
			return "", fmt.Errorf("config file %s is a directory", explicit)
		}
		return filepath.Clean(p), nil
	}
	var found []string
	for _, name := range FileNames {
		p := filepath.Join(root, name)
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("config file %s: %w", name, err)
		}
		if !fi.IsDir() {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	// Using one silently would leave the user editing the other one.
	return "", fmt.Errorf("both %s and %s exist in %s: keep one", FileNames[0], FileNames[1], root)
}
