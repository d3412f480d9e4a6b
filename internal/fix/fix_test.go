package fix

import (
	"bytes"
	"context"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixDay is the day the fixtures are checked on.
var fixDay = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// checkDir checks the repository at dir, its renderings recorded or not.
func checkDir(t *testing.T, dir string, record bool) (*engine.Plan, report.Report) {
	t.Helper()
	ctx := context.Background()
	plan, err := engine.NewPlan(ctx, engine.Request{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	plan.Today, plan.Elapsed = fixDay, func(time.Time) int64 { return 0 }
	if record {
		Record(plan)
	}
	rep, err := engine.Run(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	return plan, rep
}

// TestFixes runs `meshgate fix` on each fixture under testdata (one kind
// of fix each): what it says and the diff it prints are the golden file,
// whether the check's renderings were recorded or the proofs render
// everything again; written to a copy of the fixture, the fixes remove
// exactly the findings they claim, and no finding is new.
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
			for _, record := range []bool{true, false} {
				repo := t.TempDir()
				if err := os.CopyFS(repo, os.DirFS(dir)); err != nil {
					t.Fatal(err)
				}
				plan, rep := checkDir(t, repo, record)
				s, err := Start(context.Background(), plan, &rep)
				if err != nil {
					t.Fatal(err)
				}
				p := s.Patch(context.Background())
				var out bytes.Buffer
				if err := p.Describe(&out, s); err != nil {
					t.Fatal(err)
				}
				if err := p.Diff(&out); err != nil {
					t.Fatal(err)
				}
				s.Close()
				golden(t, filepath.Join("testdata", filepath.Base(dir)+".golden"), out.Bytes())
				if _, err := p.Write(repo); err != nil {
					t.Fatal(err)
				}
				_, after := checkDir(t, repo, false)
				assertRemoves(t, rep, after, p.Removed)
			}
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

// counting counts the renderings of each environment.
type counting struct {
	inner render.Renderer
	mu    sync.Mutex
	n     map[string]int
}

func (c *counting) Render(ctx context.Context, root string, env config.Environment, opts render.Options) render.Result {
	c.mu.Lock()
	c.n[env.Name]++
	c.mu.Unlock()
	return c.inner.Render(ctx, root, env, opts)
}

// TestProofsRenderWhatEditsReach: with the check's renderings recorded,
// proving a fix renders again only the environments that read the edited
// file: once for the base, once per proof.
func TestProofsRenderWhatEditsReach(t *testing.T) {
	repo := t.TempDir()
	if err := os.CopyFS(repo, os.DirFS(filepath.Join("testdata", "move-annotation"))); err != nil {
		t.Fatal(err)
	}
	// A second environment that reads nothing the fixes edit.
	for name, text := range map[string]string{
		"other/kustomization.yaml": "resources: [cm.yaml]\n",
		"other/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: b}\n",
	} {
		p := filepath.Join(repo, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(repo, ".meshgate.yaml")
	b, _ := os.ReadFile(cfg)
	b = bytes.Replace(b, []byte("mesh:"), []byte("  - name: other\n    kustomize: {path: other}\nmesh:"), 1)
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	plan, err := engine.NewPlan(ctx, engine.Request{Dir: repo})
	if err != nil {
		t.Fatal(err)
	}
	c := &counting{inner: engine.DefaultRenderers()["kustomize"], n: map[string]int{}}
	plan.Today, plan.Renderers = fixDay, map[string]render.Renderer{"kustomize": c}
	Record(plan)
	rep, err := engine.Run(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(ctx, plan, &rep)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Fixes) != 2 {
		t.Fatalf("%d fixes, want 2", len(s.Fixes))
	}
	// prod: the check, the base, a proof per fix; other: the check.
	if want := map[string]int{"prod": 4, "other": 1}; !maps.Equal(c.n, want) {
		t.Errorf("renderings %v, want %v", c.n, want)
	}
}
