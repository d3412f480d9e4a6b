package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/finding"
)

// Options tune the formatters. Formatters never look at the terminal or the
// environment: the CLI decides (Color is true only on a terminal with
// NO_COLOR unset).
type Options struct {
	// Color enables ANSI colours (text format only).
	Color bool
	// ToolVersion is meshgate's version; the report's Tool.Version is used
	// when it is empty.
	ToolVersion string
	// CheckRunURL and SummaryURL (the workflow run's page, with the job
	// summary) are where a cut markdown report points for the rest.
	CheckRunURL, SummaryURL string
	// SourceURL is the root of the sources at the commit checked
	// (https://github.com/OWNER/REPO/blob/SHA): markdown links each
	// location to its line there. Plain text without it.
	SourceURL string
	// Since, when known, is the comparison with the previous run on the
	// same pull request, which the verdict adds.
	Since *Since
	// MaxBytes caps the markdown output (0 = unlimited); whole rows are cut
	// and a pointer to CheckRunURL or the JSON artifact ends the body.
	MaxBytes int
}

// Formatter writes a report in one output format.
type Formatter func(w io.Writer, r Report, o Options) error

// Format names accepted by Lookup (and --format).
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
	FormatSARIF    = "sarif"
	FormatGitHub   = "github"
)

var formatters = []struct {
	name string
	f    Formatter
}{
	{FormatText, Text},
	{FormatJSON, JSON},
	{FormatMarkdown, writeMarkdown},
	{FormatSARIF, SARIF},
	{FormatGitHub, GitHub},
}

// Names lists the format names in their documented order.
func Names() []string {
	out := make([]string, len(formatters))
	for i, f := range formatters {
		out[i] = f.name
	}
	return out
}

// Lookup returns the formatter with that name; an unknown name is an error
// that lists the valid ones.
func Lookup(name string) (Formatter, error) {
	for _, f := range formatters {
		if f.name == name {
			return f.f, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q (valid: %s)", name, strings.Join(Names(), ", "))
}

// normalized is a finalized copy of r: formatters sort and count without
// touching the caller's slices.
func normalized(r Report) Report {
	r.Environments = append([]Environment(nil), r.Environments...)
	for i := range r.Environments {
		r.Environments[i].WorkloadIDs = append([]string(nil), r.Environments[i].WorkloadIDs...)
	}
	r.Findings = append([]finding.Finding(nil), r.Findings...)
	r.Ignored = append([]finding.Finding(nil), r.Ignored...)
	r.Finalize()
	return r
}

func toolVersion(r Report, o Options) string {
	if o.ToolVersion != "" {
		return o.ToolVersion
	}
	return r.Tool.Version
}

// envNames is every environment named by the report, its environments'
// order first, then any only findings name (a hand-merged report).
func envNames(r Report) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, e := range r.Environments {
		add(e.Name)
	}
	var extra []string
	for _, f := range append(append([]finding.Finding(nil), r.Findings...), r.Ignored...) {
		if !seen[f.Environment] {
			seen[f.Environment] = true
			extra = append(extra, f.Environment)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// hasNew reports whether a baseline marked the findings new or existing.
func hasNew(fs []finding.Finding) bool {
	for _, f := range fs {
		if f.New != nil {
			return true
		}
	}
	return false
}

func isNew(f finding.Finding) bool { return f.New != nil && *f.New }

// object is "Kind namespace/name" (or "Kind name" for cluster objects), ""
// for findings about the environment as a whole.
func object(f finding.Finding) string {
	switch {
	case f.Kind == "":
		return ""
	case f.Namespace == "":
		return f.Kind + " " + f.Name
	}
	return f.Kind + " " + f.Namespace + "/" + f.Name
}

// Annotation is where a finding can be annotated in the repository (the
// file and line GitHub draws it at) and its text there: Describe(f),
// except for a finding inside a chart archive (finding.SplitArchive), which
// is annotated on the archive without a line (a line of a .tgz means
// nothing), its text led by where in the archive it is.
func Annotation(f finding.Finding) (file string, line int, text string) {
	if archive, _, ok := finding.SplitArchive(f.File); ok {
		return archive, 0, location(f) + ": " + Describe(f)
	}
	return f.File, f.Line, Describe(f)
}

// location is "file:line", "file" or "".
func location(f finding.Finding) string {
	if f.File == "" {
		return ""
	}
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return f.File
}

// Plural is n with the word for one or for many: "1 error", "2 errors".
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
