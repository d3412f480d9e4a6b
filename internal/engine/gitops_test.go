package engine

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGitOpsAppOfApps checks testdata/gitops with no config, as a user
// would: a chart renders Applications (an app of apps, like
// argocd-example-apps' apps/ chart). The Applications of this repository
// are environments named after them, rendered with their own settings (the
// api Application's valuesObject opts its pod out of the mesh: a notice at
// its template line), and the discovered chart and overlay they deploy are
// not checked again; the plugin, the other repository and the chart
// repository are notices on the Application in the rendering that holds
// it; the Application that renders the app of apps again manages itself,
// as a self-managed root Application does in Argo CD: followed, not a
// cycle, and no notice. An
// Application in a file of its own (argocd/api-canary.yaml) that opts its
// pod out in its valuesObject gets the notice at that line. The listing
// (stderr) and the text report are compared with testdata/gitops.golden.
func TestGitOpsAppOfApps(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"GITHUB_REPOSITORY": "acme/platform"}[k] }
	plan, err := NewPlan(context.Background(), Request{Dir: "testdata/gitops", Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	plan.Today = exampleDay
	plan.Elapsed = func(time.Time) int64 { return 0 }
	var out bytes.Buffer
	plan.Describe(&out)
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	out.WriteString("---\n")
	if err := report.Write(&out, "", report.FormatText, rep, report.Options{}); err != nil {
		t.Fatal(err)
	}
	got := regexp.MustCompile(`(?m)^meshgate: no mesh.provider.*\n`).ReplaceAll(out.Bytes(), nil)
	const golden = "testdata/gitops.golden"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(filepath.FromSlash(golden))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got:\n%s\nwant (%s, -update rewrites it):\n%s", got, golden, want)
	}
}
