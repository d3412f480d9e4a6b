package kustomize

import (
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/kustomization"
	"github.com/meshgate/meshgate/internal/render"
)

var (
	// targetRe names a kustomization folder krusty was working in when it
	// failed; nested ones follow, the innermost last.
	targetRe = regexp.MustCompile(`(?:recursed accumulation of path|couldn't make target for path) '([^']+)'`)
	// fromRe names the entry of that kustomization being loaded.
	fromRe = regexp.MustCompile(`accumulating resources from '([^']+)'`)
	// malformedRe is a resource file that is not YAML.
	malformedRe = regexp.MustCompile(`MalformedYAMLError: yaml: (?:line (\d+): )?.* in File: (\S+)`)
	yamlLineRe  = regexp.MustCompile(`yaml: line (\d+):`)
	unknownRe   = regexp.MustCompile(`unknown field "([^"]+)"`)
	// fieldTypeRe is a field of the wrong type.
	fieldTypeRe = regexp.MustCompile(`into Go struct field Kustomization\.(\w+)`)
	// securityRe is kustomize's load restrictor refusing a file outside the
	// kustomization's folder (a link out of it included).
	securityRe = regexp.MustCompile(`security; file '([^']+)' is not in or below '([^']+)'`)
)

// buildError turns a krusty error into a render error with kustomize's
// message (paths repository-relative) located at the kustomization
// concerned: the innermost one krusty names, else the overlay's. The line
// is that of the entry being loaded, or of the YAML error in the
// kustomization; a malformed resource file is pointed at itself.
func buildError(p paths, overlay string, err error) *render.Error {
	msg := p.Message(err.Error())
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
	kfile := kustomization.Find(disk{}, p.Abs(dir))
	if kfile == "" {
		return &render.Error{Message: msg, File: dir}
	}
	e := &render.Error{Message: msg, File: p.Rel(kfile)}
	// Read only for the lines of its entries: it is the text krusty failed on.
	k, _ := kustomization.Read(disk{}, kfile)
	switch {
	case strings.Contains(tail, "invalid Kustomization"):
		if m := yamlLineRe.FindStringSubmatch(tail); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
		} else if m := unknownRe.FindStringSubmatch(tail); m != nil {
			e.Line = k.Line(m[1])
		} else if m := fieldTypeRe.FindStringSubmatch(tail); m != nil {
			// The Go field's JSON name: Resources is resources.
			e.Line = k.Line(strings.ToLower(m[1][:1]) + m[1][1:])
		}
	default:
		if m := fromRe.FindStringSubmatch(tail); m != nil {
			e.Line = k.Line(m[1])
		} else if m := securityRe.FindStringSubmatch(tail); m != nil {
			// A patch or generator file: the entry is the refused file,
			// as written relative to the kustomization (or absolute).
			e.Line = entryLine(k, m[1], m[2])
		}
	}
	return e
}

// entryLine is the line of the kustomization entry naming file (as the
// load restrictor writes it, relative to the repository or absolute) from
// the kustomization folder dir: "leak.txt", or "key=leak.txt" for a
// generator; 0 when none is found.
func entryLine(k *kustomization.Kustomization, file, dir string) int {
	candidates := []string{file}
	if rel, err := filepath.Rel(filepath.FromSlash(dir), filepath.FromSlash(file)); err == nil {
		candidates = append(candidates, filepath.ToSlash(rel))
	}
	for _, c := range candidates {
		if l := k.LineWhere(func(v string) bool { return v == c || strings.HasSuffix(v, "="+c) }); l > 0 {
			return l
		}
	}
	return 0
}
