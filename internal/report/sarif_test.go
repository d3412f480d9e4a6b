package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/meshgate/meshgate/internal/check"
)

// TestSARIFSchema validates the SARIF output against the SARIF 2.1.0 JSON
// schema (testdata/README.md says where the file comes from).
func TestSARIFSchema(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	const url = "sarif-schema-2.1.0.json"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]Report{"sample": sample(), "no-baseline": sampleNoBaseline(), "clean": clean(), "empty": {}, "archived": archived()} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := SARIF(&buf, r, Options{}); err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Errorf("SARIF output does not validate:\n%v", err)
			}
		})
	}
}

// sarifOf is r's SARIF log, decoded.
func sarifOf(t *testing.T, r Report) sarifLog {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	return log
}

// TestSARIFContract checks what code scanning relies on beyond the schema.
func TestSARIFContract(t *testing.T) {
	log := sarifOf(t, sample())
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(check.Rules) {
		t.Fatalf("%d rules, want every one of check.Rules (%d)", len(run.Tool.Driver.Rules), len(check.Rules))
	}
	r := sample()
	if want := len(r.Findings) + len(r.Ignored); len(run.Results) != want {
		t.Fatalf("%d results, want %d", len(run.Results), want)
	}
	for _, res := range run.Results {
		if res.RuleIndex == nil || run.Tool.Driver.Rules[*res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex does not point at its rule", res.RuleID)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.Region.StartLine < 1 || loc.ArtifactLocation.URI == "" || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("result %s: bad location %+v", res.RuleID, loc)
		}
		if res.PartialFingerprints["meshgate/v1"] == "" {
			t.Errorf("result %s: no partial fingerprint", res.RuleID)
		}
	}
	// The exemptions: the Job's annotation is in the source, the Secret's
	// entry in the config file.
	var suppressions []string
	for _, res := range run.Results {
		for _, s := range res.Suppressions {
			suppressions = append(suppressions, res.RuleID+" "+s.Kind+" "+s.Justification)
		}
	}
	want := []string{
		"secret-missing external created by Vault | see runbook <ops>",
		"mesh-injection inSource migrations run before the mesh is up",
	}
	if !slices.Equal(suppressions, want) {
		t.Errorf("suppressions:\n got %q\nwant %q", suppressions, want)
	}
}

// TestSARIFArchive: a result inside a chart archive has the archive as its
// artifact (a valid relative URI, at its first line), and where inside it
// in its properties and message.
func TestSARIFArchive(t *testing.T) {
	log := sarifOf(t, archived())
	type view struct {
		URI, Inner      string
		Line, InnerLine int
		Message         string
	}
	var got []view
	for _, res := range log.Runs[0].Results {
		loc := res.Locations[0].PhysicalLocation
		got = append(got, view{loc.ArtifactLocation.URI, res.Properties.FileInArchive, loc.Region.StartLine, res.Properties.LineInArchive, res.Message.Text})
	}
	want := []view{
		{"charts/shop/charts/grafana-12.11.1.tgz", "charts/sidecar/templates/daemon.yaml", 1, 14,
			"[prod] charts/shop/charts/grafana-12.11.1.tgz#charts/sidecar/templates/daemon.yaml:14: DaemonSet shop/sidecar [agent]: env TOKEN reads Secret shop/sidecar-token, which this environment does not produce."},
		{"charts/shop/charts/grafana-12.11.1.tgz", "templates/deployment.yaml", 1, 32,
			`[prod] charts/shop/charts/grafana-12.11.1.tgz#templates/deployment.yaml:32: Deployment shop/grafana: pod template has label sidecar.istio.io/inject="false".`},
		{"charts/local/templates/deployment.yaml", "", 9, 0,
			`[prod] Deployment shop/local: pod template has label sidecar.istio.io/inject="false".`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results\n got %+v\nwant %+v", got, want)
	}
}
