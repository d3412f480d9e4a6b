// Package kustomization reads kustomization files for every part of
// meshgate that needs to know what one refers to: discovery, the inputs of
// --changed-since, and the kustomize renderer's checks and source index.
// One reader keeps them agreeing on which file of a folder counts, on the
// fields and their spelling, and on which entries are remote.
//
// A file is decoded the way krusty decodes it (sigs.k8s.io/yaml into
// kustomize's own Kustomization type: keys case-insensitive, a repeated key
// overriding the earlier one), minus krusty's refusal of unknown fields, so
// that meshgate sees every entry the build would load.
//
// The package reads only through an FS its caller supplies: each caller
// keeps its own confinement to the repository and its own size limits.
package kustomization

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"sigs.k8s.io/kustomize/api/types"
	sigsyaml "sigs.k8s.io/yaml"
)

// FileNames are the names of a folder's kustomization file, in kustomize's
// order of preference: a copy of konfig.RecognizedKustomizationFileNames,
// so that config need not link konfig for it; a test keeps them equal.
var FileNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// FS is what the reader reads through. Names are dir arguments joined with
// a file name (filepath.Join); what they are relative to, and what a read
// may reach and how much, is the implementation's business.
type FS interface {
	Stat(name string) (fs.FileInfo, error)
	ReadFile(name string) ([]byte, error)
}

// ErrNotFound is Load's error for a folder without a kustomization file.
var ErrNotFound = errors.New("no kustomization file")

// Kustomization is one kustomization file, decoded.
type Kustomization struct {
	types.Kustomization
	// File is the name it was read from, Data its text: errors about an
	// entry point at its line (Line).
	File string
	Data []byte
}

// Find returns dir's kustomization file: dir joined with the first of
// FileNames that fsys finds and that is not a folder; "" when there is
// none.
func Find(fsys FS, dir string) string {
	if all := FindAll(fsys, dir); len(all) > 0 {
		return all[0]
	}
	return ""
}

// FindAll returns every kustomization file in dir, in FileNames order.
// kustomize refuses a folder with more than one; a caller that reads only
// the first would check another file than kustomize may build.
func FindAll(fsys FS, dir string) []string {
	var out []string
	for _, n := range FileNames {
		f := filepath.Join(dir, n)
		if fi, err := fsys.Stat(f); err == nil && !fi.IsDir() {
			out = append(out, f)
		}
	}
	return out
}

// Read reads and decodes the kustomization file. It never returns nil: on
// an error the result holds what was read and decoded before it, which
// lenient callers use (a broken kustomization is still an environment, and
// kustomize reports it in its own words) and strict ones drop.
func Read(fsys FS, file string) (*Kustomization, error) {
	k := &Kustomization{File: file}
	data, err := fsys.ReadFile(file)
	if err != nil {
		return k, err
	}
	k.Data = data
	if err := sigsyaml.Unmarshal(data, &k.Kustomization); err != nil {
		return k, fmt.Errorf("%s: %w", file, err)
	}
	return k, nil
}

// Load reads the kustomization file of dir (Find, then Read); with none it
// returns an empty Kustomization and ErrNotFound.
func Load(fsys FS, dir string) (*Kustomization, error) {
	file := Find(fsys, dir)
	if file == "" {
		return &Kustomization{}, fmt.Errorf("%s: %w", dir, ErrNotFound)
	}
	return Read(fsys, file)
}

// IsComponent reports a kustomize Component, which builds only as part of
// the overlays that list it.
func (k *Kustomization) IsComponent() bool { return k.Kind == types.ComponentKind }

// ChartHome is the folder (relative to the kustomization) where its
// helmCharts are looked for, kustomize's default "charts" unless
// helmGlobals.chartHome says otherwise; ok is false without helmCharts.
func (k *Kustomization) ChartHome() (home string, ok bool) {
	if len(k.HelmCharts) == 0 {
		return "", false
	}
	if k.HelmGlobals != nil && k.HelmGlobals.ChartHome != "" {
		return k.HelmGlobals.ChartHome, true
	}
	return "charts", true
}
