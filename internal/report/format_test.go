package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func ptr(b bool) *bool { return &b }

func newFinding(rule string, sev finding.Severity, env, kind, ns, name, container, subject, msg, file string, line int) finding.Finding {
	f := finding.Finding{
		Rule: rule, Severity: sev, Environment: env, Kind: kind, Namespace: ns, Name: name,
		Container: container, Message: msg, File: file, Line: line, Subject: subject,
	}
	f.SetFingerprint()
	return f
}

// sample is a report with every severity, an environment that failed to
// render, exemptions, a policy finding, new and existing findings, a
// non-workload object, a finding without a file and characters that every
// format must escape. Its slices are deliberately unsorted.
func sample() Report {
	cartInjection := newFinding(finding.RuleMeshInjection, finding.SeverityError, "prod", "Deployment", "shop", "cart", "", "",
		`pod template has annotation sidecar.istio.io/inject="true" but namespace "shop" has no istio-injection or istio.io/rev label: the injector selects on labels only, use the label sidecar.istio.io/inject="true"`,
		"deploy/base/cart.yaml", 12)
	cartInjection.New = ptr(true)
	cartKey := newFinding(finding.RuleSecretKeyMissing, finding.SeverityError, "prod", "Deployment", "shop", "cart", "server", "cart-db/passwd",
		`env DB_PASSWORD reads key "passwd" of Secret shop/cart-db, which has keys password, user`,
		"deploy/base/cart.yaml", 31)
	cartKey.New = ptr(false)
	webPolicy := newFinding(finding.RuleMeshAnnotation, finding.SeverityError, "prod", "Deployment", "shop", "web", "", "sidecar.istio.io/proxyCPU",
		`annotation sidecar.istio.io/proxyCPU "100" does not match ^[0-9]+m$`,
		"deploy/overlays/prod/web-patch.yaml", 7)
	webPolicy.Policy = "payments-request-id"
	webPolicy.New = ptr(true)
	jobSidecar := newFinding(finding.RuleMeshJobSidecar, finding.SeverityWarning, "prod", "Job", "shop", "db-migrate", "", "",
		`Job pod gets a classic sidecar and will never complete: set annotation sidecar.istio.io/nativeSidecar: "true"`,
		"deploy/base/db-migrate.yaml", 9)
	jobSidecar.New = ptr(false)
	optional := newFinding(finding.RuleSecretMissing, finding.SeverityNotice, "staging", "Deployment", "shop", "cart", "server", "cart-extra",
		"envFrom reads optional Secret shop/cart-extra (100% optional),\nwhich this environment does not produce: a|b <none>\r\nsecond line",
		"charts/shop/templates/odd,name:v1.yaml", 22)
	ingress := newFinding(finding.RuleSecretMissing, finding.SeverityError, "staging", "Ingress", "shop", "web", "", "web-tls",
		"tls secretName web-tls: Secret shop/web-tls is produced nowhere in this environment",
		"charts/shop/templates/ingress.yaml", 18)
	ingress.New = ptr(true)
	noFile := newFinding(finding.RuleMeshEnv, finding.SeverityWarning, "staging", "Deployment", "shop", "web", "server", "ISTIO_META_REQUEST_ID",
		`container "server" does not set env ISTIO_META_REQUEST_ID`, "", 0)
	noFile.New = ptr(false)
	renderErr := newFinding(finding.RuleRenderError, finding.SeverityError, "dev", "", "", "", "", "render",
		`helm template: charts/shop/templates/cart.yaml:12:4: executing "shop/templates/cart.yaml" at <required "image.tag is required" .Values.image.tag>: error calling required: image.tag is required`,
		"charts/shop/templates/cart.yaml", 12)
	renderErr.New = ptr(true)

	ignoredJob := newFinding(finding.RuleMeshInjection, finding.SeverityWarning, "staging", "Job", "shop", "db-migrate", "", "",
		"Job pod will not get the mesh dataplane: namespace \"shop\" has no istio-injection label",
		"charts/shop/templates/db-migrate.yaml", 5)
	ignoredJob.Reason, ignoredJob.Exemption = "migrations run before the mesh is up", finding.ExemptionInline
	ignoredSecret := newFinding(finding.RuleSecretMissing, finding.SeverityError, "prod", "Deployment", "shop", "web", "server", "vault-web",
		"env API_KEY reads Secret shop/vault-web, which this environment does not produce",
		"deploy/base/web.yaml", 40)
	ignoredSecret.Reason, ignoredSecret.Exemption = "created by Vault | see runbook <ops>", finding.ExemptionConfig

	return Report{
		Version: Version,
		Tool:    Tool{Name: "meshgate", Version: "0.1.0"},
		Environments: []Environment{
			{Name: "staging", Source: "helm", Path: "charts/shop", Objects: 20, Workloads: 3, DurationMs: 1234,
				WorkloadIDs: []string{"Job/shop/db-migrate", "Deployment/shop/web", "Deployment/shop/cart"}},
			{Name: "prod", Source: "kustomize", Path: "deploy/overlays/prod", Objects: 41, Workloads: 3, DurationMs: 87,
				WorkloadIDs: []string{"Deployment/shop/web", "Deployment/shop/cart", "Job/shop/db-migrate"}},
			{Name: "dev", Source: "helm", Path: "charts/shop", DurationMs: 3, Error: renderErr.Message},
		},
		Findings: []finding.Finding{noFile, jobSidecar, optional, webPolicy, cartKey, renderErr, cartInjection, ingress},
		Ignored:  []finding.Finding{ignoredSecret, ignoredJob},
	}
}

// sampleNoBaseline is sample without --base-ref: no new/existing marks.
func sampleNoBaseline() Report {
	r := sample()
	for i := range r.Findings {
		r.Findings[i].New = nil
	}
	return r
}

// clean is a report without a single gap.
func clean() Report {
	return Report{
		Tool: Tool{Name: "meshgate", Version: "0.1.0"},
		Environments: []Environment{
			{Name: "prod", Source: "kustomize", Path: "deploy/overlays/prod", Objects: 1, Workloads: 1, DurationMs: 2500,
				WorkloadIDs: []string{"Deployment/shop/cart"}},
		},
	}
}

// exemptedRender has an environment that failed to render, its
// render-error exempted: outputs still say why nothing was checked there.
func exemptedRender() Report {
	f := newFinding(finding.RuleRenderError, finding.SeverityError, "dev", "", "", "", "", "render",
		"kustomize build: deploy/overlays/dev: missing resource ../../base/legacy.yaml", "deploy/overlays/dev", 0)
	f.Reason = "dev overlay is being rewritten"
	r := clean()
	r.Environments = append(r.Environments, Environment{Name: "dev", Source: "kustomize", Path: "deploy/overlays/dev", DurationMs: 4, Error: f.Message})
	r.Ignored = []finding.Finding{f}
	return r
}

// causes has findings of one cause (a namespace without injection) beside
// others: the human outputs list its workloads under one entry with the
// fix, JSON and SARIF keep one finding per workload.
func causes() Report {
	const msg = `namespace "boutique" (not rendered, not in mesh.namespaces) has no istio-injection or istio.io/rev label and the pod template has no label sidecar.istio.io/inject="true" or istio.io/rev`
	const fix = "namespace boutique is not rendered: if the cluster gives it the label istio-injection=enabled, say so in mesh.namespaces (boutique: {istio-injection: enabled}); otherwise render the Namespace with it"
	var fs []finding.Finding
	for _, name := range []string{"adservice", "cartservice", "frontend"} {
		f := newFinding(finding.RuleMeshInjection, finding.SeverityError, "prod", "Deployment", "boutique", name, "", "injection", msg,
			"kubernetes-manifests/"+name+".yaml", 20)
		if name == "frontend" {
			f.Message = `pod template has annotation sidecar.istio.io/inject="true" but namespace "boutique" (not rendered, not in mesh.namespaces) has no istio-injection or istio.io/rev label: the injector selects on labels only`
		}
		f.Cause, f.CauseFix = "namespace-not-injected:boutique", fix
		fs = append(fs, f)
	}
	job := newFinding(finding.RuleMeshInjection, finding.SeverityWarning, "prod", "Job", "boutique", "loadgenerator", "", "injection", msg,
		"kubernetes-manifests/loadgenerator.yaml", 18)
	job.Cause, job.CauseFix = "namespace-not-injected:boutique", fix
	secret := newFinding(finding.RuleSecretMissing, finding.SeverityError, "prod", "Deployment", "boutique", "cartservice", "server", "envFrom|boutique/redis|",
		"envFrom reads Secret boutique/redis, which this environment does not produce", "kubernetes-manifests/cartservice.yaml", 40)
	return Report{
		Tool: Tool{Name: "meshgate", Version: "0.1.0"},
		Environments: []Environment{{Name: "prod", Source: "kustomize", Path: "kubernetes-manifests", Objects: 12, Workloads: 4, DurationMs: 40,
			WorkloadIDs: []string{"Deployment/boutique/adservice", "Deployment/boutique/cartservice", "Deployment/boutique/frontend", "Job/boutique/loadgenerator"}}},
		Findings: append(fs, job, secret),
	}
}

// archived has findings inside a chart archive (ARCHIVE#PATH locations)
// beside one in a file:// dependency's folder: text, JSON and markdown
// print the location; SARIF, workflow commands and check runs annotate the
// archive.
func archived() Report {
	const archive = "charts/shop/charts/grafana-12.11.1.tgz"
	injection := newFinding(finding.RuleMeshInjection, finding.SeverityError, "prod", "Deployment", "shop", "grafana", "", "",
		`pod template has label sidecar.istio.io/inject="false"`, archive+"#templates/deployment.yaml", 32)
	secret := newFinding(finding.RuleSecretMissing, finding.SeverityError, "prod", "DaemonSet", "shop", "sidecar", "agent", "sidecar-token",
		"env TOKEN reads Secret shop/sidecar-token, which this environment does not produce", archive+"#charts/sidecar/templates/daemon.yaml", 14)
	local := newFinding(finding.RuleMeshInjection, finding.SeverityError, "prod", "Deployment", "shop", "local", "", "",
		`pod template has label sidecar.istio.io/inject="false"`, "charts/local/templates/deployment.yaml", 9)
	return Report{
		Tool: Tool{Name: "meshgate", Version: "0.1.0"},
		Environments: []Environment{{Name: "prod", Source: "helm", Path: "charts/shop", Objects: 5, Workloads: 3, DurationMs: 12,
			WorkloadIDs: []string{"Deployment/shop/grafana", "DaemonSet/shop/sidecar", "Deployment/shop/local"}}},
		Findings: []finding.Finding{injection, secret, local},
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (refresh with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (refresh with -update if intended)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestFormatters(t *testing.T) {
	tests := []struct {
		golden string
		format string
		report Report
		opts   Options
	}{
		{"text.sample.golden", FormatText, sample(), Options{}},
		{"text.sample-color.golden", FormatText, sample(), Options{Color: true}},
		{"text.no-baseline.golden", FormatText, sampleNoBaseline(), Options{}},
		{"text.clean.golden", FormatText, clean(), Options{}},
		{"text.clean-color.golden", FormatText, clean(), Options{Color: true}},
		{"text.exempted-render.golden", FormatText, exemptedRender(), Options{}},
		{"json.sample.golden", FormatJSON, sample(), Options{}},
		{"json.clean.golden", FormatJSON, clean(), Options{}},
		{"markdown.sample.golden", FormatMarkdown, sample(), Options{ToolVersion: "1.0.0"}},
		{"markdown.no-baseline.golden", FormatMarkdown, sampleNoBaseline(), Options{}},
		{"markdown.clean.golden", FormatMarkdown, clean(), Options{}},
		{"markdown.exempted-render.golden", FormatMarkdown, exemptedRender(), Options{}},
		{"markdown.cut-check-run.golden", FormatMarkdown, sample(), Options{MaxBytes: 2500, CheckRunURL: "https://github.example/o/r/runs/7"}},
		{"markdown.cut-artifact.golden", FormatMarkdown, sample(), Options{MaxBytes: 1200}},
		{"text.causes.golden", FormatText, causes(), Options{}},
		{"markdown.causes.golden", FormatMarkdown, causes(), Options{}},
		{"json.causes.golden", FormatJSON, causes(), Options{}},
		{"sarif.sample.golden", FormatSARIF, sample(), Options{ToolVersion: "1.0.0"}},
		{"sarif.clean.golden", FormatSARIF, clean(), Options{}},
		{"github.sample.golden", FormatGitHub, sample(), Options{}},
		{"github.clean.golden", FormatGitHub, clean(), Options{}},
		{"text.archived.golden", FormatText, archived(), Options{}},
		{"json.archived.golden", FormatJSON, archived(), Options{}},
		{"markdown.archived.golden", FormatMarkdown, archived(), Options{}},
		{"sarif.archived.golden", FormatSARIF, archived(), Options{}},
		{"github.archived.golden", FormatGitHub, archived(), Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			f, err := Lookup(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			before := tt.report
			snapshot, _ := json.Marshal(before)
			var buf bytes.Buffer
			if err := f(&buf, tt.report, tt.opts); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.golden, buf.Bytes())
			// Formatters are pure: the caller's report is not reordered.
			after, _ := json.Marshal(tt.report)
			if !bytes.Equal(snapshot, after) {
				t.Errorf("%s formatter modified its input", tt.format)
			}
			if tt.opts.MaxBytes > 0 && buf.Len() > tt.opts.MaxBytes {
				t.Errorf("markdown is %d bytes, over MaxBytes %d", buf.Len(), tt.opts.MaxBytes)
			}
		})
	}
}

func TestTextColor(t *testing.T) {
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Text(&buf, sample(), Options{Color: color}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(buf.String(), "\x1b["); got != color {
			t.Errorf("Color=%v: output has ANSI escapes = %v", color, got)
		}
	}
}

func TestMarkdownMaxBytes(t *testing.T) {
	full := Markdown(sample(), Options{})
	fullLines := map[string]bool{}
	for _, l := range strings.Split(full, "\n") {
		fullLines[l] = true
	}
	const url = "https://github.example/o/r/runs/7"
	pointer := "_This report was cut to fit. The full report is in [the check run](" + url + ")._"
	verdictEnd := strings.Index(full, "\n### ")
	verdictEnd += strings.Index(full[verdictEnd+1:], "\n") + 2
	minCut := verdictEnd + len("\n"+pointer+"\n")
	for max := 1; max <= len(full)+3; max++ {
		got := Markdown(sample(), Options{MaxBytes: max, CheckRunURL: url})
		if len(got) > max {
			t.Fatalf("MaxBytes %d: got %d bytes", max, len(got))
		}
		if max >= len(full) {
			if got != full {
				t.Fatalf("MaxBytes %d: a body that fits was changed", max)
			}
			continue
		}
		if max < minCut {
			continue // no room for marker, verdict and pointer: only the byte cut applies
		}
		if !strings.HasSuffix(got, "\n"+pointer+"\n") {
			t.Fatalf("MaxBytes %d: cut body does not end with the pointer:\n%s", max, got)
		}
		if !strings.HasPrefix(got, MarkdownMarker+"\n### ") {
			t.Fatalf("MaxBytes %d: cut body lost its marker or verdict:\n%s", max, got)
		}
		// Whole rows only: every line but the pointer is a line of the full body.
		for _, l := range strings.Split(strings.TrimSuffix(got, "\n"+pointer+"\n"), "\n") {
			if !fullLines[l] {
				t.Fatalf("MaxBytes %d: line %q is not a whole line of the full report", max, l)
			}
		}
		if strings.Count(got, "<details>") != strings.Count(got, "</details>") {
			t.Fatalf("MaxBytes %d: unbalanced <details>:\n%s", max, got)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, name := range Names() {
		if f, err := Lookup(name); err != nil || f == nil {
			t.Errorf("Lookup(%q) = %v, %v", name, f, err)
		}
	}
	_, err := Lookup("xml")
	want := `unknown format "xml" (valid: text, json, markdown, sarif, github)`
	if err == nil || err.Error() != want {
		t.Errorf("Lookup(xml) error = %v, want %q", err, want)
	}
}

func TestMerge(t *testing.T) {
	a := newFinding(finding.RuleMeshInjection, finding.SeverityError, "prod", "Deployment", "shop", "cart", "", "", "first wording", "a.yaml", 1)
	aAgain := a
	aAgain.Message = "later wording"
	aStaging := newFinding(finding.RuleMeshInjection, finding.SeverityError, "staging", "Deployment", "shop", "cart", "", "", "m", "a.yaml", 1)
	b := newFinding(finding.RuleMeshEnv, finding.SeverityWarning, "staging", "Deployment", "shop", "web", "server", "X", "m", "b.yaml", 2)
	ign := newFinding(finding.RuleSecretMissing, finding.SeverityError, "prod", "Deployment", "shop", "web", "", "s", "m", "c.yaml", 3)
	ign.Reason = "r"

	shard1 := Report{
		Tool:         Tool{Name: "meshgate", Version: "0.1.0"},
		Environments: []Environment{{Name: "prod", Workloads: 2, DurationMs: 10}},
		Findings:     []finding.Finding{a},
		Ignored:      []finding.Finding{ign},
	}
	shard2 := Report{
		Tool: Tool{Name: "meshgate", Version: "0.2.0"},
		Environments: []Environment{
			{Name: "staging", Workloads: 3},
			{Name: "prod", Workloads: 2, DurationMs: 99},
		},
		Findings: []finding.Finding{b, aAgain, aStaging},
		Ignored:  []finding.Finding{ign},
		Baseline: &Baseline{Kind: BaselineBaseCommit, Commit: "b0b0"},
	}
	got := Merge(shard1, shard2)
	want := Report{
		Version: Version,
		Tool:    Tool{Name: "meshgate", Version: "0.2.0"},
		Environments: []Environment{
			{Name: "prod", Workloads: 2, DurationMs: 99},
			{Name: "staging", Workloads: 3},
		},
		Findings: []finding.Finding{aAgain, aStaging, b},
		Ignored:  []finding.Finding{ign},
		Summary:  Summary{Environments: 2, Workloads: 5, Findings: 3, Errors: 2, Warnings: 1, Ignored: 1},
		Baseline: &Baseline{Kind: BaselineBaseCommit, Commit: "b0b0"},
	}
	// Subject is not part of the JSON and so not of a merged report file;
	// compare what the report says.
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("Merge:\n got %s\nwant %s", gotJSON, wantJSON)
	}
	if e := Merge(); e.Findings == nil || e.Environments == nil || e.Version != Version {
		t.Errorf("Merge() = %+v, want an empty finalized report", e)
	}
}

func TestReadJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := JSON(&again, got, Options{}); err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	_ = JSON(&first, sample(), Options{})
	if !bytes.Equal(first.Bytes(), again.Bytes()) {
		t.Errorf("JSON → ReadJSON → JSON changed the report")
	}

	bad := []struct{ name, in, want string }{
		{"syntax", "{\n  \"version\": 1,\n  \"findings\": [}\n", "json report: line 3, column 16: invalid character '}' looking for beginning of value"},
		{"type", "{\n  \"version\": \"1\"\n}\n", `json report: line 2, column 16: field "version": json: cannot unmarshal string into Go struct field Report.version of type int`},
		{"empty", " \n", "json report: the input is empty"},
		{"not a report", "{\"findings\": []}", `json report: no "version": not a meshgate JSON report`},
		{"future version", "{\"version\": 2}", "json report: version 2 is not supported (this meshgate reads version 1)"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Errorf("ReadJSON error = %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestFailingAndExitCode(t *testing.T) {
	f := func(sev finding.Severity, isNew *bool) finding.Finding {
		return finding.Finding{Rule: finding.RuleMeshInjection, Severity: sev, Environment: "prod", New: isNew}
	}
	tests := []struct {
		name     string
		findings []finding.Finding
		failOn   string
		onlyNew  bool
		failing  int
		exit     int
	}{
		{"no findings", nil, finding.FailOnError, false, 0, ExitOK},
		{"error fails on error", []finding.Finding{f(finding.SeverityError, nil)}, finding.FailOnError, false, 1, ExitFindings},
		{"warning passes on error", []finding.Finding{f(finding.SeverityWarning, nil)}, finding.FailOnError, false, 0, ExitOK},
		{"warning fails on warning", []finding.Finding{f(finding.SeverityWarning, nil)}, finding.FailOnWarning, false, 1, ExitFindings},
		{"notice passes on warning", []finding.Finding{f(finding.SeverityNotice, nil)}, finding.FailOnWarning, false, 0, ExitOK},
		{"error and warning on warning", []finding.Finding{f(finding.SeverityError, nil), f(finding.SeverityWarning, nil)}, finding.FailOnWarning, false, 2, ExitFindings},
		{"never", []finding.Finding{f(finding.SeverityError, nil)}, finding.FailOnNever, false, 0, ExitOK},
		{"existing error counts without onlyNew", []finding.Finding{f(finding.SeverityError, ptr(false))}, finding.FailOnError, false, 1, ExitFindings},
		{"existing error passes with onlyNew", []finding.Finding{f(finding.SeverityError, ptr(false))}, finding.FailOnError, true, 0, ExitOK},
		{"new error fails with onlyNew", []finding.Finding{f(finding.SeverityError, ptr(true)), f(finding.SeverityError, ptr(false))}, finding.FailOnError, true, 1, ExitFindings},
		{"unmarked error fails with onlyNew", []finding.Finding{f(finding.SeverityError, nil)}, finding.FailOnError, true, 1, ExitFindings},
		{"existing warning passes on warning with onlyNew", []finding.Finding{f(finding.SeverityWarning, ptr(false))}, finding.FailOnWarning, true, 0, ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report{Findings: tt.findings}
			if got := len(r.Failing(tt.failOn, tt.onlyNew)); got != tt.failing {
				t.Errorf("Failing = %d findings, want %d", got, tt.failing)
			}
			if got := r.ExitCode(tt.failOn, tt.onlyNew); got != tt.exit {
				t.Errorf("ExitCode = %d, want %d", got, tt.exit)
			}
		})
	}
}

func TestGitHubEscaping(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
		{"%0A", "%250A", "%250A"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	tests := []struct{ in, text, inline, span string }{
		{"a|b", `a\|b`, "a|b", "`a|b`"},
		{"<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;", "&lt;b&gt;&amp;&lt;/b&gt;", "`<b>&</b>`"},
		{"one\ntwo\r\nthree\n", "one<br>two<br>three", "one<br>\ntwo<br>\nthree", "`one two three`"},
		{"x`y", "x`y", "x\\`y", "`` x`y ``"},
		{"run `helm dep build` in *charts/_x_* [a]", "run `helm dep build` in *charts/_x_* [a]",
			"run `helm dep build` in \\*charts/\\_x\\_\\* \\[a\\]", "`` run `helm dep build` in *charts/_x_* [a] ``"},
		{"`*` stays in code", "`*` stays in code", "`*` stays in code", "`` `*` stays in code ``"},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.text {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.text)
		}
		if got := mdInline(tt.in); got != tt.inline {
			t.Errorf("mdInline(%q) = %q, want %q", tt.in, got, tt.inline)
		}
		if got := mdSpan(tt.in); got != tt.span {
			t.Errorf("mdSpan(%q) = %q, want %q", tt.in, got, tt.span)
		}
	}
}

func TestNormalizedKeepsInput(t *testing.T) {
	r := sample()
	want := sample()
	_ = Markdown(r, Options{})
	if !reflect.DeepEqual(r, want) {
		t.Error("Markdown reordered or changed the caller's report")
	}
}
