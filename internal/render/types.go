// Package render turns one environment (a Helm chart with values, or a
// kustomize overlay) into the YAML documents it would deploy, each tagged
// with the repository file a person edits to change it.
package render

import "fmt"

// Doc is one rendered YAML document.
type Doc struct {
	// YAML is the document as it would be applied (kustomize's origin
	// annotation removed, Helm's "# Source:" comment removed).
	YAML []byte
	// File is the source file relative to the repository root: for Helm the
	// template named by "# Source:", for kustomize the file named by the
	// origin annotation. Empty when unknown.
	File string
}

// Result is one environment's rendering. A failed rendering is data (Err),
// not a Go error: it becomes a render-error finding.
type Result struct {
	Source string // "helm" or "kustomize"
	Path   string // chart or overlay, relative to the repository root
	Docs   []Doc
	// Sources holds the text of source files by repo-relative path when the
	// renderer already has them (Helm templates, also those of packaged
	// charts); other files are read from the repository when needed.
	Sources map[string][]byte
	// Root is the repository root (absolute).
	Root string
	// DefaultNamespace is the namespace of objects that set none.
	DefaultNamespace string
	Err              *Error
}

// Error is a rendering failure: helm's or kustomize's own message, with
// repository-relative paths, and where known the file and line.
type Error struct {
	Message string
	File    string
	Line    int
}

func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	case e.File != "":
		return fmt.Sprintf("%s: %s", e.File, e.Message)
	}
	return e.Message
}
