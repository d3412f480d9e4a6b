package report

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
)

// Bounds that keep one entry readable and the whole report within
// GitHub's 65,536 characters by design: a message is cut at
// mdMaxMessage bytes in the entry's text, a render error's full message at
// mdMaxFullMessage in its folded block.
const (
	mdMaxMessage     = 1000
	mdMaxFullMessage = 8000
	// mdShortMessage: a longer render error (or one of several lines) is
	// summed up by its end, its full text folded below.
	mdShortMessage = 200
)

// mdEntries adds one part per entry (per workload for a cause, with the
// cause glued to its first workload), so that a cut keeps whole entries.
func mdEntries(d *mdDoc, r Report, groups []*mdGroup, o Options) {
	all := envNames(r)
	for _, g := range groups {
		if g.head().Cause != "" {
			mdCauseEntry(d, g, all, o)
			continue
		}
		mdGapEntry(d, r, g, all, o)
	}
}

// mdEntryHead is "**3.** ❌ `rule` in **prod**, **staging**".
func mdEntryHead(g *mdGroup, envs, all []string) string {
	f := g.head()
	rule := mdSpan(f.Rule)
	if f.Policy != "" {
		rule += " (policy " + mdSpan(f.Policy) + ")"
	}
	return fmt.Sprintf("**%d.** %s %s in %s", g.num, Style(g.worst()).Icon, rule, mdEnvList(envs, all))
}

// mdGapEntry: the rule, the environments and the location on one line,
// then the objects and the message.
func mdGapEntry(d *mdDoc, r Report, g *mdGroup, all []string, o Options) {
	gap := g.gaps[0]
	f := gap.fs[0]
	text := "\n" + mdEntryHead(g, mdEnvsOf(gap.fs), all)
	if loc := mdLocation(f, o); loc != "" {
		text += " · " + loc
	}
	if f.Rule == finding.RuleRenderError {
		d.add(text + "<br>\n" + mdRenderFailure(r, gap))
		return
	}
	body := mdInline(mdCutText(f.Message, mdMaxMessage))
	switch obj, once := mdObjects(gap.fs); {
	case obj == "":
	case once:
		body = obj + ": " + body
	default:
		body += "<br>\n" + obj
	}
	d.add(text + "<br>\n" + body + "\n")
}

// mdCauseEntry: the rule, the cause and its fix once, then each workload
// at its location, with its environments, severity and message where
// they are not the entry's.
func mdCauseEntry(d *mdDoc, g *mdGroup, all []string, o Options) {
	head := g.head()
	var fs []finding.Finding
	for _, gap := range g.gaps {
		fs = append(fs, gap.fs...)
	}
	envs := mdEnvsOf(fs)
	workloads := map[string]bool{}
	for _, f := range fs {
		workloads[f.Kind+"/"+check.StripEnv(f.Name, f.Environment)] = true
	}
	text := fmt.Sprintf("\n%s · one cause for %s: %s<br>\n%s", mdEntryHead(g, envs, all),
		Plural(len(workloads), "workload", "workloads"), mdSpan(head.Cause), mdInline(mdCutText(head.Message, mdMaxMessage)))
	if head.CauseFix != "" {
		text += "<br>\n**Fix:** " + mdInline(head.CauseFix)
	}
	d.glue(text + "\n\n")
	for _, gap := range g.gaps {
		f := gap.fs[0]
		obj, _ := mdObjects(gap.fs)
		item := "- " + obj
		if ge := mdEnvsOf(gap.fs); len(ge) != len(envs) {
			item += " in " + mdEnvList(ge, all)
		}
		if loc := mdLocation(f, o); loc != "" {
			item += " · " + loc
		}
		if f.Severity != head.Severity {
			item += " " + Style(f.Severity).Icon + " " + string(f.Severity)
		}
		if mdSameMessage(f) != mdSameMessage(head) {
			item += ": " + mdInline(mdCutText(f.Message, mdMaxMessage))
		}
		d.add(item + "\n")
	}
}

// mdRenderFailure says what failed to render and where in one line; a
// long or multi-line message is summed up by its end, the tool's full
// message folded below in a fenced block.
func mdRenderFailure(r Report, gap *mdGap) string {
	sources, paths := map[string]bool{}, map[string]bool{}
	var e Environment
	for _, f := range gap.fs {
		for _, env := range r.Environments {
			if env.Name == f.Environment {
				e = env
				sources[env.Source], paths[env.Path] = true, true
			}
		}
	}
	what := "the environment could not be rendered"
	if len(sources) == 1 {
		switch e.Source {
		case "helm":
			what = "helm could not render the chart"
		case "kustomize":
			what = "kustomize could not build the overlay"
		}
		if len(paths) == 1 && e.Path != "" {
			what += " " + mdSpan(e.Path)
		}
	}
	msg := strings.TrimSpace(strings.ReplaceAll(gap.fs[0].Message, "\r\n", "\n"))
	if len(msg) <= mdShortMessage && !strings.Contains(msg, "\n") {
		return what + ": " + mdInline(msg) + "\n"
	}
	return what + ": " + mdInline(mdTail(msg)) + "\n\n<details><summary>Full message</summary>\n\n" +
		mdFence(mdCutText(msg, mdMaxFullMessage)) + "\n</details>\n"
}

// mdTail sums a long error up by its end, where helm and kustomize put
// the cause: the last line's last ": "-separated parts, at least 60
// characters of them, after "…".
func mdTail(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	parts := strings.Split(last, ": ")
	tail := parts[len(parts)-1]
	for i := len(parts) - 2; i >= 0 && len(tail) < 60; i-- {
		tail = parts[i] + ": " + tail
	}
	tail = mdCutText(tail, mdShortMessage)
	if tail == msg {
		return tail
	}
	return "…" + tail
}

// mdExemptions adds the exemptions, folded, one entry per exempted gap
// with its reason.
func mdExemptions(d *mdDoc, r Report, o Options) {
	if len(r.Ignored) == 0 {
		return
	}
	all := envNames(r)
	groups := mdGroups(all, r.Ignored)
	d.glue("\n")
	d.open(fmt.Sprintf("Exemptions (%d)", len(r.Ignored)))
	d.glue("\n")
	for _, g := range groups {
		for _, gap := range g.gaps {
			f := gap.fs[0]
			item := "- " + mdSpan(f.Rule)
			if obj, _ := mdObjects(gap.fs); obj != "" {
				item += " · " + obj
			}
			item += " in " + mdEnvList(mdEnvsOf(gap.fs), all)
			if loc := mdLocation(f, o); loc != "" {
				item += " · " + loc
			}
			item += ": " + mdInline(mdCutText(f.Reason, mdMaxMessage))
			d.add(item + "\n")
		}
	}
	d.close()
}

// mdCutText shortens s to at most n bytes, ending with "…".
func mdCutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cutUTF8(s, n-len("…")) + "…"
}

// mdInline escapes text for a paragraph: < > & would be read as HTML,
// * _ [ ] ~ as emphasis, links and strikethrough, and line breaks end
// in <br>. Code spans in the text (messages quote commands in backticks)
// are kept as they are when the backticks pair up.
func mdInline(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimRight(s, "\n")
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `\`, `\\`, "*", `\*`, "_", `\_`,
		"[", `\[`, "]", `\]`, "~", `\~`, "\n", "<br>\n")
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 {
		return strings.NewReplacer("`", "\\`").Replace(esc.Replace(s))
	}
	for i := range parts {
		if i%2 == 0 {
			parts[i] = esc.Replace(parts[i])
		} else {
			parts[i] = strings.ReplaceAll(parts[i], "\n", " ")
		}
	}
	return strings.Join(parts, "`")
}

// mdSpan is s as a code span in a paragraph, on one line.
func mdSpan(s string) string {
	if s == "" {
		return ""
	}
	s = strings.Join(strings.Fields(s), " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if len(fence) > 1 || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdFence is s in a fenced code block, its fence longer than any run of
// backticks in s.
func mdFence(s string) string {
	fence := "```"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + "text\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}
