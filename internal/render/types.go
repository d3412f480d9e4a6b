// Package render turns one environment (a Helm chart with values, a
// kustomize overlay or a folder of plain manifests) into the YAML documents
// it would deploy, each tagged with the repository file a person edits to
// change it.
package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
)

// Doc is one rendered YAML document.
type Doc struct {
	// YAML is the document as it would be applied (kustomize's origin
	// annotation removed, Helm's "# Source:" comment removed).
	YAML []byte
	// File is the source file relative to the repository root: for Helm the
	// template named by "# Source:", for kustomize the file named by the
	// origin annotation. Empty when unknown.
	File string
	// Line is where the document's object starts in File, when the renderer
	// knows it (a manifests folder, where one file may define the same
	// object twice); 0 lets the source index find it by kind and name.
	Line int
	// Patches are the patches a GitOps object writes (an Argo CD
	// Application's kustomize.patches, a Flux Kustomization's patches)
	// that apply to this document: a field they set is located in them.
	Patches []Patch
}

// Patch is a kustomize patch as a GitOps object writes it.
type Patch struct {
	// Text is the patch, a strategic merge patch or a JSON 6902 list of
	// operations.
	Text string
	// File and Line are where the patch entry is written (repo-relative).
	File string
	Line int
}

// Result is one environment's rendering. A failed rendering is data (Err),
// not a Go error: it becomes a render-error finding.
type Result struct {
	Source string // "helm", "kustomize" or "manifests"
	Path   string // chart, overlay or folder, relative to the repository root
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
	// Warnings are what rendered, but maybe not as its author meant: a
	// values file that repeats a key (the last one wins, as in helm).
	Warnings []Warning
	// Redact holds credentials the renderer saw in its inputs (Helm values
	// under credential-like keys, kustomize secretGenerator literals and env
	// files). They must not appear in any message; the renderer has already
	// removed them from Err.
	Redact []string
}

// Warning is a caveat of a rendering that succeeded, at a file and line
// of the repository.
type Warning struct {
	File    string
	Line    int
	Message string
	// Severity is the render-warning finding's: "" for a warning, notice
	// for what is most likely meant (an object a manifests folder defines
	// twice, which kubectl takes the last of).
	Severity finding.Severity
}

// Error is a rendering failure: helm's or kustomize's own message, with
// repository-relative paths, and where known the file and line.
type Error struct {
	Message string
	File    string
	Line    int
	// Internal marks a bug in meshgate (a recovered panic) rather than a
	// problem of the environment: the run ends with the internal-error exit
	// code.
	Internal bool
	// Limit marks a rendering that a limit stopped (limits.*, a YAML bomb,
	// a render that did not finish): rendering what it includes would only
	// hit the limit again.
	Limit bool
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

// Redacted replaces every occurrence of the secrets in msg that stands as
// a value of its own (not inside a longer name: a password "web" leaves the
// Deployment "web-frontend" alone; nor inside a path or a key, see
// standsAsValue), longest first, so that a secret
// containing another is removed whole. Secrets shorter than MinRedactLen
// are left: they are too common in messages to remove, and too short to be
// real credentials.
func Redacted(msg string, secrets []string) string {
	var hit []string
	for _, s := range secrets {
		if len(s) >= MinRedactLen && strings.Contains(msg, s) {
			hit = append(hit, s)
		}
	}
	sort.Slice(hit, func(i, j int) bool { return len(hit[i]) > len(hit[j]) })
	for _, s := range hit {
		msg = replaceWord(msg, s)
	}
	return msg
}

// replaceWord replaces the occurrences of s in msg that stand as a value:
// no word character touches them on either side, and they are not a part
// of a path or of a dotted or key=value key (a credential "katib" leaves
// "apps/katib/upstream", "katib.kubeflow.org/x" and "katib=true" alone).
func replaceWord(msg, s string) string {
	return rewrite(msg, s, func(msg string, i int) (string, int) {
		end := i + len(s)
		if !standsAsValue(msg, i, end) {
			return msg[:i+1], i + 1 // not a value of its own: look on after its first byte
		}
		return msg[:i] + RedactedText, end
	})
}

// rewrite scans msg for s, left to right. At each occurrence, at index i
// of what is left of msg, edit returns the text to write for msg[:next],
// and the scan goes on from next. Relativizing paths and redacting
// secrets differ only in what they write.
func rewrite(msg, s string, edit func(msg string, i int) (text string, next int)) string {
	var b strings.Builder
	for {
		i := strings.Index(msg, s)
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		text, next := edit(msg, i)
		b.WriteString(text)
		msg = msg[next:]
	}
}

// standsAsValue reports whether msg[i:end] is a word of its own that is
// not a path segment ("/" beside it, but "//" before it starts a URL's
// user), not a part of a dotted name ("." between it and a word), and
// not the key of a key=value.
func standsAsValue(msg string, i, end int) bool {
	at := func(k int) byte {
		if k < 0 || k >= len(msg) {
			return 0
		}
		return msg[k]
	}
	before, after := at(i-1), at(end)
	switch {
	case isWordByte(before) || isWordByte(after):
		return false
	case before == '/' && at(i-2) != '/', after == '/':
		return false
	case before == '.' && isWordByte(at(i-2)), after == '.' && isWordByte(at(end+1)):
		return false
	case after == '=':
		return false
	}
	return true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// RedactedText stands for a removed credential.
const RedactedText = "[redacted]"

// MinRedactLen is the length from which Redacted removes a secret.
const MinRedactLen = 4
