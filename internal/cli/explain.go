package cli

import (
	"github.com/spf13/cobra"

	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/suggest"
)

// docsURL is where the repository's docs are read on GitHub.
const docsURL = "https://github.com/meshgate/meshgate/blob/main/docs"

// explainWidth is the text format's line width.
const explainWidth = 79

func newExplainCmd(s Streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "explain RULE",
		Short: "print what a rule checks, why it matters and how to fix it",
		Long: `Print a rule's documentation: what it checks, why it matters, how to fix
it, and a repository that fails it next to the change that fixes it. The
markdown format is what docs/rules/RULE.md holds.`,
		Example: "  meshgate explain mesh-injection\n  meshgate explain secret-missing --format markdown",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("explain: name one rule: %s", strings.Join(ruleIDs(), ", "))
			}
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, r := range check.Rules {
				out = append(out, r.ID+"\t"+r.Description)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return runExplain(s, args[0], format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text or markdown")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion([]string{"text", "markdown"}))
	return cmd
}

// runExplain prints a rule's documentation in format.
func runExplain(s Streams, id, format string) error {
	r, ok := check.LookupRule(id)
	if !ok {
		if near := suggest.Closest(id, ruleIDs()); near != "" {
			return usagef("explain: unknown rule %q (did you mean %s?)", id, near)
		}
		return usagef("explain: unknown rule %q (valid: %s)", id, strings.Join(ruleIDs(), ", "))
	}
	var err error
	switch format {
	case "text":
		err = writeExplainText(s.Stdout, r)
	case "markdown":
		err = writeExplainMarkdown(s.Stdout, r)
	default:
		return usagef("explain: --format %q: want text or markdown", format)
	}
	if err != nil {
		return fmt.Errorf("explain %s: %w", r.ID, err)
	}
	return nil
}

func ruleIDs() []string {
	ids := make([]string, len(check.Rules))
	for i, r := range check.Rules {
		ids[i] = r.ID
	}
	return ids
}

// docBlock is one piece of a rule's documentation; both formats print the
// same blocks.
type docBlock struct {
	heading string // a section title, or
	para    string // a paragraph (may hold `code` spans), or
	code    string // a code block, with
	label   string // the file it shows, if any, and
	lang    string // its language for markdown fences
}

// ruleDoc is the documentation of one rule, as blocks.
func ruleDoc(r check.RuleInfo) []docBlock {
	b := []docBlock{
		{para: sentence(r.Description)},
		{heading: "Why it matters"},
		{para: sentence(r.Why)},
		{heading: "Example"},
		{para: exampleIntro(r.Failing)},
	}
	b = append(b, exampleBlocks(r.Failing)...)
	b = append(b,
		docBlock{para: fmt.Sprintf("`meshgate check` reports, at %s severity:", r.Severity)},
		docBlock{code: r.Example + "\n", lang: "text"},
		docBlock{heading: "How to fix"},
		docBlock{para: sentence(r.Fix)},
		docBlock{para: "The example passes with this change:"},
	)
	b = append(b, exampleBlocks(r.Passing)...)
	b = append(b, docBlock{heading: "How to exempt"})
	return append(b, exemptBlocks(r)...)
}

// exampleIntro says how an example is checked when its config names no
// environment (see check.Example).
func exampleIntro(e check.Example) string {
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

func exampleBlocks(e check.Example) []docBlock {
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

// exemptBlocks explains the exemptions that cover the rule's findings
// (check/exempt.go): config ignore entries, and inline annotations on the
// object or its pod template.
func exemptBlocks(r check.RuleInfo) []docBlock {
	const reason = "<why the gap is accepted>"
	switch r.ID {
	case finding.RuleIgnoreExpired:
		return []docBlock{{para: "This warning cannot be exempted: renew the exemption it names with a new `until` date and a reason, or remove the exemption once the finding it covered is fixed."}}
	case finding.RuleRenderError:
		return []docBlock{
			{para: "A render error belongs to no object, so only a `.meshgate.yaml` entry without `workloads` covers it. Every exemption needs a `reason`; with `until` it lapses after that day and an `ignore-expired` warning names it:"},
			{label: ".meshgate.yaml", lang: "yaml", code: commented(
				"ignore:", "",
				"  - rules: [render-error]", "",
				"    environments: [preview]", "environment name globs",
				`    reason: "`+reason+`"`, "",
				"    until: 2027-01-31", "optional: last day it applies",
			)},
			{para: "Better still, leave the environment out of `.meshgate.yaml`, or check only the others with `--env`."},
		}
	}
	kind, ns, name := exampleWorkload(r.Failing)
	b := []docBlock{
		{para: "Every exemption needs a `reason`; with `until` it lapses after that day. An exemption without a reason, or past its date, does not apply, and an `ignore-expired` warning names it. In `.meshgate.yaml`:"},
		{label: ".meshgate.yaml", lang: "yaml", code: commented(
			"ignore:", "",
			"  - rules: ["+r.ID+"]", "",
			fmt.Sprintf(`    workloads: ["%s/%s/%s"]`, kind, ns, name), "Kind/namespace/name globs",
			"    environments: [prod]", "optional: environment name globs",
			`    reason: "`+reason+`"`, "",
			"    until: 2027-01-31", "optional: last day it applies",
		)},
		{para: "Or inline, on the object's metadata or its pod template's metadata:"},
		{lang: "yaml", code: fmt.Sprintf(`metadata:
  annotations:
    # Rule ids, comma-separated, or "*" for every rule.
    meshgate.io/ignore: "%s"
    meshgate.io/ignore-reason: "%s"
`, r.ID, reason)},
	}
	switch r.ID {
	case finding.RuleMeshInjection:
		b = append(b, docBlock{para: "Jobs and CronJobs follow `mesh.jobs`: with `warn` (the default) a Job without the dataplane is a warning, with `require` an error, and `ignore` turns this rule off for them."})
	case finding.RuleMeshJobSidecar:
		b = append(b, docBlock{para: "`mesh.jobs: ignore` turns this rule off for every Job and CronJob."})
	case finding.RuleSecretMissing:
		b = append(b, docBlock{para: "A Secret that is created outside the rendered manifests (by hand, by a controller) is no gap: list it in `secrets.external` instead, by name or `namespace/name` glob. A reference marked `optional: true` is reported as a notice."})
	case finding.RuleSecretKeyMissing:
		b = append(b, docBlock{para: "`secrets.checkKeys: false` turns this rule off. A reference marked `optional: true` is reported as a notice."})
	}
	return b
}

// exampleWorkload is the first workload of an example, for the exemption
// example; a Deployment shop/cart when none can be read.
func exampleWorkload(e check.Example) (kind, namespace, name string) {
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

func writeExplainText(w io.Writer, r check.RuleInfo) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (default severity: %s)\n", r.ID, r.Severity)
	for _, blk := range ruleDoc(r) {
		switch {
		case blk.heading != "":
			fmt.Fprintf(&b, "\n%s\n", strings.ToUpper(blk.heading))
		case blk.para != "":
			b.WriteString("\n")
			b.WriteString(wrap(strings.ReplaceAll(blk.para, "`", ""), "  ", explainWidth))
		default:
			b.WriteString("\n")
			indent := "  "
			if blk.label != "" {
				fmt.Fprintf(&b, "  %s:\n", blk.label)
				indent = "    "
			}
			for _, line := range strings.Split(strings.TrimSuffix(blk.code, "\n"), "\n") {
				if line == "" {
					b.WriteString("\n")
					continue
				}
				b.WriteString(indent + line + "\n")
			}
		}
	}
	fmt.Fprintf(&b, "\nMore: %s/rules/%s.md\n", docsURL, r.ID)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeExplainMarkdown(w io.Writer, r check.RuleInfo) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# `%s`\n\nDefault severity: **%s**\n", r.ID, r.Severity)
	for _, blk := range ruleDoc(r) {
		switch {
		case blk.heading != "":
			fmt.Fprintf(&b, "\n## %s\n", blk.heading)
		case blk.para != "":
			fmt.Fprintf(&b, "\n%s\n", blk.para)
		default:
			if blk.label != "" {
				fmt.Fprintf(&b, "\n`%s`:\n", blk.label)
			}
			fmt.Fprintf(&b, "\n```%s\n%s```\n", blk.lang, blk.code)
		}
	}
	fmt.Fprintf(&b, "\n---\n\nThis page is `meshgate explain --format markdown %s`. The examples are tested: the first one gives exactly the finding shown, the fixed one none. See [all rules](README.md).\n", r.ID)
	_, err := io.WriteString(w, b.String())
	return err
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

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
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
