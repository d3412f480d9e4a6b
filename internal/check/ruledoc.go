package check

import (
	"fmt"
	"io"
	"path"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/suggest"
)

// DocsURL is where the repository's docs are read on GitHub.
const DocsURL = "https://github.com/meshgate/meshgate/blob/main/docs"

// explainWidth is the text format's line width: an 80-column terminal.
const explainWidth = 79

// WriteRules writes `meshgate rules`: a table of every rule, then each
// rule's fix.
func WriteRules(w io.Writer) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tDESCRIPTION")
	for _, r := range Rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\n")
	for _, r := range Rules {
		fmt.Fprintf(&b, "%s\n  fix: %s\n", r.ID, r.Fix)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ParseRule returns the rule a user named. The error names the valid ids,
// and the one most likely meant.
func ParseRule(id string) (RuleInfo, error) {
	if r, ok := LookupRule(id); ok {
		return r, nil
	}
	valid := strings.Join(finding.RuleIDs, ", ")
	if near := suggest.Closest(id, finding.RuleIDs); near != "" {
		return RuleInfo{}, fmt.Errorf("unknown rule %q (did you mean %q? valid: %s)", id, near, valid)
	}
	return RuleInfo{}, fmt.Errorf("unknown rule %q (valid: %s)", id, valid)
}

// explainFormat prints a rule's documentation blocks in one format: a
// head and a foot (fmt formats of the rule id and severity) around them.
type explainFormat struct {
	name  string
	head  string
	block func(docBlock) string
	foot  string
}

var explainFormats = []explainFormat{
	{name: "text", head: "%[1]s (default severity: %[2]s)\n", block: docBlock.text,
		foot: "\nMore: " + DocsURL + "/rules/%[1]s.md\n"},
	// docs/rules/RULE.md holds the markdown format.
	{name: "markdown", head: "# `%[1]s`\n\nDefault severity: **%[2]s**\n", block: docBlock.markdown,
		foot: "\n---\n\nThis page is `meshgate explain --format markdown %[1]s`. The examples are tested: the first one gives exactly the finding shown, the fixed one none. See [all rules](README.md).\n"},
}

// ExplainFormat returns what writes a rule's documentation in the named
// format, text or markdown (`meshgate explain --format`). The error names
// the valid formats; callers prefix the flag.
func ExplainFormat(name string) (func(io.Writer, RuleInfo) error, error) {
	names := make([]string, len(explainFormats))
	for i, f := range explainFormats {
		if f.name == name {
			return f.write, nil
		}
		names[i] = f.name
	}
	return nil, fmt.Errorf("%q: want %s", name, strings.Join(names, " or "))
}

func (f explainFormat) write(w io.Writer, r RuleInfo) error {
	var b strings.Builder
	fmt.Fprintf(&b, f.head, r.ID, r.Severity)
	for _, blk := range ruleDoc(r) {
		b.WriteString(f.block(blk))
	}
	fmt.Fprintf(&b, f.foot, r.ID, r.Severity)
	_, err := io.WriteString(w, b.String())
	return err
}

// docBlock is one piece of a rule's documentation; every format prints
// the same blocks.
type docBlock struct {
	heading string // a section title, or
	para    string // a paragraph (may hold `code` spans), or
	code    string // a code block, with
	label   string // the file it shows, if any, and
	lang    string // its language for markdown fences
}

func (blk docBlock) text() string {
	switch {
	case blk.heading != "":
		return "\n" + strings.ToUpper(blk.heading) + "\n"
	case blk.para != "":
		return "\n" + wrap(strings.ReplaceAll(blk.para, "`", ""), "  ", explainWidth)
	}
	var b strings.Builder
	b.WriteString("\n")
	indent := "  "
	if blk.label != "" {
		fmt.Fprintf(&b, "  %s:\n", blk.label)
		indent = "    "
	}
	for _, line := range strings.Split(strings.TrimSuffix(blk.code, "\n"), "\n") {
		if line != "" {
			b.WriteString(indent + line)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (blk docBlock) markdown() string {
	switch {
	case blk.heading != "":
		return "\n## " + blk.heading + "\n"
	case blk.para != "":
		return "\n" + blk.para + "\n"
	}
	var label string
	if blk.label != "" {
		label = "\n`" + blk.label + "`:\n"
	}
	return label + "\n```" + blk.lang + "\n" + blk.code + "```\n"
}

// ruleDoc is the documentation of one rule, as blocks.
func ruleDoc(r RuleInfo) []docBlock {
	b := []docBlock{
		{para: finding.Sentence(r.Description)},
		{heading: "Why it matters"},
		{para: finding.Sentence(r.Why)},
		{heading: "Example"},
		{para: exampleIntro(r.Failing)},
	}
	b = append(b, exampleBlocks(r.Failing)...)
	b = append(b,
		docBlock{para: fmt.Sprintf("`meshgate check` reports, at %s severity:", r.Severity)},
		docBlock{code: r.Example + "\n", lang: "text"},
		docBlock{heading: "How to fix"},
		docBlock{para: finding.Sentence(r.Fix)},
		docBlock{para: "The example passes with this change:"},
	)
	b = append(b, exampleBlocks(r.Passing)...)
	b = append(b, docBlock{heading: "How to exempt"})
	return append(b, exemptBlocks(r)...)
}

// exampleIntro says how an example is checked when its config names no
// environment (see Example).
func exampleIntro(e Example) string {
	if strings.Contains(e.Config, "environments:") {
		return "This repository fails the rule:"
	}
	for _, f := range e.Files {
		if path.Base(f.Path) == "Chart.yaml" {
			return fmt.Sprintf("This repository fails the rule, with an environment `prod` that renders the chart `%s` into namespace `shop`:", path.Dir(f.Path))
		}
	}
	return "This repository fails the rule, with an environment `prod` whose manifests are the files under `deploy/`, in namespace `shop`:"
}

func exampleBlocks(e Example) []docBlock {
	var b []docBlock
	if e.Config != "" {
		label := ".meshgate.yaml"
		if !strings.Contains(e.Config, "environments:") {
			label += " (besides the environment)"
		}
		b = append(b, docBlock{label: label, code: e.Config, lang: "yaml"})
	}
	for _, f := range e.Files {
		b = append(b, docBlock{label: f.Path, code: f.Content, lang: "yaml"})
	}
	return b
}

// exemptReason stands for the reason in exemption examples.
const exemptReason = "<why the gap is accepted>"

// exemptBlocks explains the exemptions that cover the rule's findings
// (exempt.go): config ignore entries, and inline annotations on the object
// or its pod template.
func exemptBlocks(r RuleInfo) []docBlock {
	var b []docBlock
	switch r.Exempt.Scope {
	case ExemptNever:
		// The note is the whole section.
	case ExemptEnvironment:
		b = []docBlock{
			{para: r.Exempt.Why + ", so only a `.meshgate.yaml` entry without `workloads` covers it. Every exemption needs a `reason`; with `until` it lapses after that day and an `" + finding.RuleIgnoreExpired + "` warning names it:"},
			{label: ".meshgate.yaml", lang: "yaml", code: commented(
				"ignore:", "",
				"  - rules: ["+r.ID+"]", "",
				"    environments: [preview]", "environment name globs",
				`    reason: "`+exemptReason+`"`, "",
				"    until: 2027-01-31", "optional: last day it applies",
			)},
		}
	default:
		b = exemptWorkloadBlocks(r)
	}
	if r.Exempt.Note != "" {
		b = append(b, docBlock{para: r.Exempt.Note})
	}
	return b
}

// exemptWorkloadBlocks exempts the workload of the rule's failing example,
// in .meshgate.yaml and inline.
func exemptWorkloadBlocks(r RuleInfo) []docBlock {
	kind, ns, name := exampleWorkload(r.Failing)
	return []docBlock{
		{para: "Every exemption needs a `reason`; with `until` it lapses after that day. An exemption without a reason, or past its date, does not apply, and an `" + finding.RuleIgnoreExpired + "` warning names it. In `.meshgate.yaml`:"},
		{label: ".meshgate.yaml", lang: "yaml", code: commented(
			"ignore:", "",
			"  - rules: ["+r.ID+"]", "",
			fmt.Sprintf(`    workloads: ["%s/%s/%s"]`, kind, ns, name), "Kind/namespace/name globs",
			"    environments: [prod]", "optional: environment name globs",
			`    reason: "`+exemptReason+`"`, "",
			"    until: 2027-01-31", "optional: last day it applies",
		)},
		{para: "Or inline, on the object's metadata or its pod template's metadata:"},
		{lang: "yaml", code: fmt.Sprintf(`metadata:
  annotations:
    # Rule ids, comma-separated, or "*" for every rule.
    %s: "%s"
    %s: "%s"
`, exemptAnnotation, r.ID, exemptReasonAnnotation, exemptReason)},
	}
}

// exampleWorkload is the first workload of an example, for the exemption
// example; a Deployment shop/cart when none can be read.
func exampleWorkload(e Example) (kind, namespace, name string) {
	for _, f := range e.Files {
		dec := yaml.NewDecoder(strings.NewReader(f.Content))
		for {
			var doc struct {
				Kind     string `yaml:"kind"`
				Metadata struct {
					Name      string `yaml:"name"`
					Namespace string `yaml:"namespace"`
				} `yaml:"metadata"`
				Spec struct {
					Template    any `yaml:"template"`
					JobTemplate any `yaml:"jobTemplate"`
				} `yaml:"spec"`
			}
			if dec.Decode(&doc) != nil {
				break
			}
			if doc.Kind != "" && doc.Metadata.Name != "" && (doc.Spec.Template != nil || doc.Spec.JobTemplate != nil) {
				ns := doc.Metadata.Namespace
				if ns == "" {
					ns = "*"
				}
				return doc.Kind, ns, doc.Metadata.Name
			}
		}
	}
	return "Deployment", "shop", "cart"
}

// commented lays out YAML lines, each followed by its comment (or ""),
// with the comments aligned.
func commented(pairs ...string) string {
	width := 0
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" && len(pairs[i]) > width {
			width = len(pairs[i])
		}
	}
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			b.WriteString(pairs[i] + "\n")
			continue
		}
		fmt.Fprintf(&b, "%-*s  # %s\n", width, pairs[i], pairs[i+1])
	}
	return b.String()
}

// wrap fills text into lines of at most width characters, each starting
// with indent; words longer than a line stay whole.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, word := range strings.Fields(text) {
		if line != indent && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	if line != indent {
		b.WriteString(line + "\n")
	}
	return b.String()
}
