package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
)

// fleet is a report over the environments of stages × regions ("dev-use1"),
// each deploying Deployments cart and web in a namespace named after the
// environment, with names prefixed by it ("dev-use1-cart"). gap adds the
// findings of an environment.
func fleet(stages, regions []string, gap func(env string, i int) []finding.Finding) Report {
	r := Report{Tool: Tool{Name: "meshgate", Version: "1.0.0"}}
	i := 0
	for _, st := range stages {
		for _, rg := range regions {
			env := st + "-" + rg
			e := Environment{Name: env, Source: "helm", Path: "charts/shop", Workloads: 2,
				WorkloadFiles: map[string]string{}, Mesh: &Coverage{Meshed: 2, Workloads: 2}}
			for _, w := range []string{"cart", "web"} {
				id := "Deployment/" + env + "/" + env + "-" + w
				e.WorkloadIDs = append(e.WorkloadIDs, id)
				e.WorkloadFiles[id] = "charts/shop/templates/" + w + ".yaml"
			}
			r.Environments = append(r.Environments, e)
			r.Findings = append(r.Findings, gap(env, i)...)
			i++
		}
	}
	return r
}

func cartEnvGap(env string) finding.Finding {
	return newFinding(finding.RuleMeshEnv, finding.SeverityError, env, "Deployment", env, env+"-cart", "app", "ISTIO_META_REQUEST_ID",
		`container "app" does not set env ISTIO_META_REQUEST_ID`, "charts/shop/templates/cart.yaml", 20)
}

// webSecretGap names the environment's namespace and a kustomize hash of
// its own in its message: the entry is one all the same.
func webSecretGap(env string) finding.Finding {
	const alphabet = "2456789bcdfghkmt"
	hash := ""
	for i := range 10 {
		hash += string(alphabet[(int(env[i%len(env)])+i)%len(alphabet)])
	}
	return newFinding(finding.RuleSecretMissing, finding.SeverityError, env, "Deployment", env, env+"-web", "app", "web-db",
		"env DB_PASSWORD reads Secret "+env+"/web-db-"+hash+", which this environment does not produce",
		"charts/shop/templates/web.yaml", 30)
}

// TestMarkdownOneEntryPerGap: a gap in several environments is one entry
// that lists them, its workload one row of the matrix whatever the
// namespace and the name prefix.
func TestMarkdownOneEntryPerGap(t *testing.T) {
	r := fleet([]string{"dev", "qa"}, []string{"use1", "euw1"}, func(env string, _ int) []finding.Finding {
		if strings.HasPrefix(env, "dev") {
			return []finding.Finding{webSecretGap(env)}
		}
		return nil
	})
	md := Markdown(r, Options{})
	for _, want := range []string{
		"### ❌ meshgate: 1 gap in 2 of 4 environments\n",
		"#### Gaps (1)\n\n**1.** ❌ `secret-missing` in **dev-euw1**, **dev-use1** · `charts/shop/templates/web.yaml:30`<br>\n" +
			"`Deployment web`, container `app`: env DB\\_PASSWORD reads Secret dev-euw1/web-db-79c2dfkchm, which this environment does not produce\n",
		// Environments in the report's order, by name.
		"| Workload | dev-euw1 | dev-use1 | qa-euw1 | qa-use1 |\n| --- | --- | --- | --- | --- |\n" +
			"| Deployment web | ❌ 1 | ❌ 1 | ✅ | ✅ |\n| _meshed_ | 2/2 | 2/2 | 2/2 | 2/2 |\n",
		"1 workload has no gap and is not shown.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestMarkdownMatrixFitsTheColumn: twelve environments do not fit a
// column each; those whose cells are alike share one, named in a legend.
// Twenty environments that all differ turn the table.
func TestMarkdownMatrixFitsTheColumn(t *testing.T) {
	grouped := fleet([]string{"dev", "qa", "staging", "prod"}, []string{"use1", "euw1", "apne1"}, func(env string, _ int) []finding.Finding {
		switch {
		case strings.HasPrefix(env, "dev-"):
			return []finding.Finding{cartEnvGap(env)}
		case strings.HasPrefix(env, "qa-"):
			return []finding.Finding{webSecretGap(env)}
		}
		return nil
	})
	grouped.Environments[0].Mesh.Meshed = 1
	checkGolden(t, "markdown.matrix-grouped.golden", []byte(Markdown(grouped, Options{})))

	regions := []string{"use1", "use2", "usw1", "usw2", "euw1", "euw2", "euw3", "euc1", "eun1", "aps1"}
	turned := fleet([]string{"dev", "prod"}, regions, func(env string, i int) []finding.Finding {
		f := cartEnvGap(env)
		f.Line = 20 + i
		return []finding.Finding{f}
	})
	checkGolden(t, "markdown.matrix-turned.golden", []byte(Markdown(turned, Options{})))
}

// TestMarkdownLinks: locations link to their line at the head commit; a
// location inside a chart archive links the archive; a path outside the
// repository is plain text.
func TestMarkdownLinks(t *testing.T) {
	const base = "https://github.com/o/r/blob/0123abc"
	tests := []struct {
		file string
		line int
		want string
	}{
		{"charts/shop/templates/web.yaml", 12, "[`charts/shop/templates/web.yaml:12`](" + base + "/charts/shop/templates/web.yaml#L12)"},
		{"deploy/my app/base.yaml", 0, "[`deploy/my app/base.yaml`](" + base + "/deploy/my%20app/base.yaml)"},
		{"charts/redis-1.2.0.tgz#templates/deployment.yaml", 3,
			"[`charts/redis-1.2.0.tgz#templates/deployment.yaml:3`](" + base + "/charts/redis-1.2.0.tgz)"},
		{"/etc/meshgate/shared.yaml", 4, "`/etc/meshgate/shared.yaml:4`"},
		{"../outside.yaml", 4, "`../outside.yaml:4`"},
	}
	for _, tt := range tests {
		f := finding.Finding{File: tt.file, Line: tt.line}
		if got := mdLocation(f, Options{SourceURL: base}); got != tt.want {
			t.Errorf("mdLocation(%s:%d) = %s\nwant %s", tt.file, tt.line, got, tt.want)
		}
		if got, want := mdLocation(f, Options{}), "`"+location(f)+"`"; got != want {
			t.Errorf("without SourceURL: %s, want %s", got, want)
		}
	}
}

// codeSpan matches the inline code spans of a line.
var codeSpan = regexp.MustCompile("`[^`]*`")

// TestMarkdownRenderErrorReadable: a long multi-line render error is one
// line saying what failed, where and how it ends, the tool's message
// folded below in a fenced block; no code span holds a <br>.
func TestMarkdownRenderErrorReadable(t *testing.T) {
	msg := "accumulating resources: accumulation err='accumulating resources from '../base': 'base' must resolve to a file': " +
		"recursed accumulation of path 'base': accumulating resources: accumulation err='accumulating resources from '../overlay': " +
		"'overlay' must resolve to a file':\ncycle detected: candidate root 'overlay' contains visited root 'overlay'\n"
	f := newFinding(finding.RuleRenderError, finding.SeverityError, "staging", "", "", "", "", "render", msg, "deploy/base/kustomization.yaml", 2)
	r := Report{Environments: []Environment{{Name: "staging", Source: "kustomize", Path: "deploy/overlays/staging", Error: msg}},
		Findings: []finding.Finding{f}}
	md := Markdown(r, Options{})
	want := "**1.** ❌ `render-error` in **staging** · `deploy/base/kustomization.yaml:2`<br>\n" +
		"kustomize could not build the overlay `deploy/overlays/staging`: …cycle detected: candidate root 'overlay' contains visited root 'overlay'\n\n" +
		"<details><summary>Full message</summary>\n\n```text\n" + strings.TrimSpace(msg) + "\n```\n\n</details>\n"
	if !strings.Contains(md, want) {
		t.Errorf("markdown:\n%s\nwant it to hold:\n%s", md, want)
	}
	for _, l := range strings.Split(md, "\n") {
		for _, span := range codeSpan.FindAllString(l, -1) {
			if strings.Contains(span, "<br>") {
				t.Errorf("code span with <br>: %s", span)
			}
		}
	}
}

// TestVerdict: what the verdict says with each kind of baseline.
func TestVerdict(t *testing.T) {
	mk := func(marks ...bool) Report {
		r := fleet([]string{"prod"}, []string{"use1"}, func(string, int) []finding.Finding { return nil })
		for i, m := range marks {
			f := cartEnvGap("prod-use1")
			f.Line = 10 + i
			f.New = ptr(m)
			r.Findings = append(r.Findings, f)
		}
		return r
	}
	unmarked := mk(true, true)
	for i := range unmarked.Findings {
		unmarked.Findings[i].New = nil
	}
	withBase := func(r Report, kind, fallback string) Report {
		r.Baseline = &Baseline{Kind: kind, Commit: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", Fallback: fallback}
		return r
	}
	tests := []struct {
		name string
		r    Report
		o    Options
		want string
	}{
		{"clean", mk(), Options{}, "no gaps in 1 environment"},
		{"clean, all fixed", mk(), Options{Since: &Since{Fixed: 2}}, "no gaps in 1 environment · since the last run: 0 new, 2 fixed"},
		{"no baseline", unmarked, Options{}, "2 gaps in 1 of 1 environment"},
		{"no baseline, compared with the last run", unmarked, Options{Since: &Since{New: 1, Fixed: 3}},
			"2 gaps in 1 of 1 environment · since the last run: 1 new, 3 fixed"},
		{"base commit", withBase(mk(true, true, false), BaselineBaseCommit, ""), Options{Since: &Since{Fixed: 3}},
			"2 new gaps in this pull request · 1 existing · 3 fixed since the last run"},
		{"base commit, nothing new", withBase(mk(false), BaselineBaseCommit, ""), Options{Since: &Since{}},
			"no new gaps in this pull request · 1 existing"},
		{"previous run", withBase(mk(true, false), BaselinePreviousRun, "git cannot fetch the base"), Options{Since: &Since{New: 1, Fixed: 3}},
			"1 new gap since the last run · 1 existing · 3 fixed"},
		{"--base-ref", mk(true, false), Options{}, "1 new gap compared with the base · 1 existing"},
	}
	for _, tt := range tests {
		if got := Verdict(tt.r, tt.o); got != tt.want {
			t.Errorf("%s: Verdict = %q, want %q", tt.name, got, tt.want)
		}
		if md := Markdown(tt.r, tt.o); !strings.Contains(md, "meshgate: "+tt.want+"\n") {
			t.Errorf("%s: the markdown's verdict is not the Verdict:\n%s", tt.name, md)
		}
	}
	md := Markdown(withBase(mk(true, false), BaselinePreviousRun, "git cannot\nfetch the base"), Options{})
	if want := "> [!NOTE]\n> New means new since the last run; the base commit could not be rendered: git cannot fetch the base\n"; !strings.Contains(md, want) {
		t.Errorf("the fallback is not said plainly:\n%s", md)
	}
	// The Action's fallback leaves the findings unmarked: every gap counts.
	md = Markdown(withBase(unmarked, BaselinePreviousRun, "f95f852bd8fc: GitHub answered 404 Not Found to the archive request"), Options{})
	if want := "> [!NOTE]\n> New means new since the last run; the base commit could not be rendered: " +
		"f95f852bd8fc: GitHub answered 404 Not Found to the archive request\n>\n> Every gap counts for the check.\n"; !strings.Contains(md, want) {
		t.Errorf("the fallback without marks is not said plainly:\n%s", md)
	}
	md = Markdown(withBase(mk(true, false), BaselineBaseCommit, ""), Options{})
	for _, want := range []string{"· base `f95f852`</sub>", "#### New in this pull request (1)",
		"<details><summary>Existing gaps (1): already on the base branch, not counted against this pull request</summary>"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestInsertAfterVerdict(t *testing.T) {
	md := MarkdownMarker + "\n### ✅ meshgate: no gaps\n<sub>counts</sub>\n\nrest\n"
	got := InsertAfterVerdict(md, "EXTRA\n")
	if want := MarkdownMarker + "\n### ✅ meshgate: no gaps\n<sub>counts</sub>\nEXTRA\n\nrest\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := InsertAfterVerdict("x", "E\n"); got != "x\nE\n" {
		t.Errorf("short body: %q", got)
	}
}

// TestMarkdownSizeByDesign: thousands of gaps with long messages stay
// within GitHub's limit, whole entries cut, the pointer last; one gap in
// hundreds of workloads is one entry of bounded length.
func TestMarkdownSizeByDesign(t *testing.T) {
	long := strings.Repeat("a message that explains the gap at length ", 60)
	var envs []string
	for i := range 40 {
		envs = append(envs, fmt.Sprintf("env-%02d", i))
	}
	r := Report{}
	for _, e := range envs {
		r.Environments = append(r.Environments, Environment{Name: e})
		for i := range 100 {
			r.Findings = append(r.Findings, newFinding(finding.RuleMeshEnv, finding.SeverityError, e, "Deployment", e, fmt.Sprintf("app-%03d", i),
				"app", "x", fmt.Sprintf("%s %d", long, i), "charts/fleet/templates/app.yaml", i+1))
		}
	}
	md := Markdown(r, Options{MaxBytes: 65536, CheckRunURL: "https://c", SummaryURL: "https://s"})
	if len(md) > 65536 || !strings.HasSuffix(md, "\n_This report was cut to fit. The full report is in [the check run](https://c) and [the job summary](https://s)._\n") {
		t.Errorf("%d bytes, ending %q", len(md), md[len(md)-200:])
	}
	if strings.Count(md, "<details>") != strings.Count(md, "</details>") {
		t.Error("unbalanced <details>")
	}
	// Every environment's app-000 at the same line with the same message:
	// one entry naming ten objects.
	one := Report{Environments: r.Environments}
	for _, f := range r.Findings {
		if f.Line == 1 {
			one.Findings = append(one.Findings, f)
		}
	}
	md = Markdown(one, Options{})
	if !strings.Contains(md, "#### Gaps (1)\n") || !strings.Contains(md, "in all 40 environments") || len(md) > 6000 {
		t.Errorf("%d bytes:\n%s", len(md), md)
	}
}
