package kustomize

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/render"
)

var (
	// targetRe names a kustomization folder krusty was working in when it
	// failed; nested ones follow, the innermost last.
	targetRe = regexp.MustCompile(`(?:recursed accumulation of path|couldn't make target for path) '([^']+)'`)
	// fromRe names the entry of that kustomization being loaded.
	fromRe = regexp.MustCompile(`accumulating resources from '([^']+)'`)
	// malformedRe is a resource file that is not YAML.
	malformedRe = regexp.MustCompile(`MalformedYAMLError: yaml: line (\d+): .* in File: (\S+)`)
	yamlLineRe  = regexp.MustCompile(`yaml: line (\d+):`)
	unknownRe   = regexp.MustCompile(`unknown field "([^"]+)"`)
)

// buildError turns a krusty error into a render error with kustomize's
// message (paths repository-relative) located at the kustomization
// concerned: the innermost one krusty names, else the overlay's. The line
// is that of the entry being loaded, or of the YAML error in the
// kustomization; a malformed resource file is pointed at itself.
func buildError(p paths, overlay string, err error) *render.Error {
	msg := p.message(err.Error())
	dir, tail := overlay, msg
	if ms := targetRe.FindAllStringSubmatchIndex(msg, -1); ms != nil {
		last := ms[len(ms)-1]
		if d := msg[last[2]:last[3]]; !filepath.IsAbs(d) {
			dir, tail = d, msg[last[1]:]
		}
	}
	if m := malformedRe.FindStringSubmatch(tail); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &render.Error{Message: msg, File: path.Join(dir, m[2]), Line: line}
	}
	kfile := kustomizationFile(p.abs(dir))
	if kfile == "" {
		return &render.Error{Message: msg, File: dir}
	}
	e := &render.Error{Message: msg, File: p.rel(kfile)}
	switch {
	case strings.Contains(tail, "invalid Kustomization"):
		if m := yamlLineRe.FindStringSubmatch(tail); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
		} else if m := unknownRe.FindStringSubmatch(tail); m != nil {
			if data, err := os.ReadFile(kfile); err == nil {
				e.Line = scalarLine(data, m[1])
			}
		}
	default:
		if m := fromRe.FindStringSubmatch(tail); m != nil {
			if data, err := os.ReadFile(kfile); err == nil {
				e.Line = scalarLine(data, m[1])
			}
		}
	}
	return e
}
