package fix

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixDay is the day the fixtures are checked on.
var fixDay = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// checkDir checks the repository at dir.
func checkDir(t *testing.T, dir string) (*engine.Plan, report.Report) {
	t.Helper()
	ctx := context.Background()
	plan, err := engine.NewPlan(ctx, engine.Request{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	plan.Today, plan.Elapsed = fixDay, func(time.Time) int64 { return 0 }
	rep, err := engine.Run(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	return plan, rep
}

// TestFixes runs `meshgate fix` on each fixture under testdata (one kind
// of fix each): what it says and the diff it prints are the golden file;
// written to a copy of the fixture, the fixes remove exactly the findings
// they claim, and no finding is new.
func TestFixes(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "*", ".meshgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no fixtures")
	}
	for _, c := range cases {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			repo := t.TempDir()
			if err := os.CopyFS(repo, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			plan, rep := checkDir(t, repo)
			s, err := Start(context.Background(), plan, &rep)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			p := s.Patch(context.Background())
			var out bytes.Buffer
			if err := p.Describe(&out, s); err != nil {
				t.Fatal(err)
			}
			if err := p.Diff(&out); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", filepath.Base(dir)+".golden"), out.Bytes())
			if _, err := p.Write(repo); err != nil {
				t.Fatal(err)
			}
			_, after := checkDir(t, repo)
			assertRemoves(t, rep, after, p.Removed)
		})
	}
}

// assertRemoves: after has no finding that before lacks, and what before
// has and after lacks is exactly removed.
func assertRemoves(t *testing.T, before, after report.Report, removed []finding.Finding) {
	t.Helper()
	had := byFingerprint(before.Findings)
	has := byFingerprint(after.Findings)
	for _, f := range after.Findings {
		if _, ok := had[f.Fingerprint]; !ok {
			t.Errorf("new finding after the fixes: %s %s in %s: %s", f.Rule, f.WorkloadID(), f.Environment, f.Message)
		}
	}
	var gone, claimed []string
	for _, f := range before.Findings {
		if _, ok := has[f.Fingerprint]; !ok {
			gone = append(gone, f.Fingerprint)
		}
	}
	for _, f := range removed {
		claimed = append(claimed, f.Fingerprint)
	}
	sort.Strings(gone)
	sort.Strings(claimed)
	if !slices.Equal(gone, claimed) {
		t.Errorf("the fixes remove %d findings, they claim %d:\n removed %v\n claimed %v", len(gone), len(claimed), gone, claimed)
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/fix -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./internal/fix -update and review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
