package fix

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
)

// maxCopyBytes bounds the copy of the environments' inputs that proofs
// edit: a repository whose rendered inputs are larger gets no
// suggestions rather than a copy of that size.
const maxCopyBytes = 256 << 20

// prover checks edits by running the plan again over a copy of the
// environments' inputs with the edits applied. It renders again only the
// environments whose inputs an edit touches; the others reuse their
// rendering from the unedited copy, and every environment is checked, so
// that mesh-drift across environments is judged too.
type prover struct {
	plan *engine.Plan
	tmp  string
	// inputs by environment name (config.Inputs).
	inputs map[string][]string
	// baseRep is the unedited copy's report; base its findings by
	// fingerprint.
	baseRep report.Report
	base    map[string]finding.Finding

	mu sync.Mutex
	// recording: the base run, whose renderings of the copy are kept in
	// rendered; recorded are the renderings of the run whose findings are
	// proven (Record), for environments no edit reaches.
	recording bool
	rendered  map[string]render.Result
	recorded  map[string]render.Result
	edited    []string
}

// newProver copies the inputs of the plan's environments, and of every
// other environment that reads one of files, to a temporary folder and
// checks that copy once, as the base the proofs compare with.
func newProver(ctx context.Context, plan *engine.Plan, files []string) (*prover, error) {
	tmp, err := os.MkdirTemp("", "meshgate-fix-")
	if err != nil {
		return nil, err
	}
	cfg := plan.Config
	envs := slices.Clone(plan.Environments)
	pr := &prover{tmp: tmp, inputs: map[string][]string{}, rendered: map[string]render.Result{}, recorded: recordedOf(plan)}
	for _, env := range envs {
		pr.inputs[env.Name] = cfg.Inputs(env)
	}
	for _, env := range cfg.Environments {
		if _, ok := pr.inputs[env.Name]; ok {
			continue
		}
		in := cfg.Inputs(env)
		if slices.ContainsFunc(files, func(f string) bool { return config.Touches(in, f) }) {
			pr.inputs[env.Name] = in
			envs = append(envs, env)
		}
	}
	sort.Slice(envs, func(i, j int) bool { return envs[i].Name < envs[j].Name })
	p := *plan
	p.Environments = envs
	pr.plan = &p
	var all []string
	if cfg.File != "" {
		all = append(all, cfg.File)
	}
	for _, in := range pr.inputs {
		all = append(all, in...)
	}
	sort.Strings(all)

	if err := copyInputs(cfg.Root, tmp, all); err != nil {
		pr.close()
		return nil, err
	}
	// The base renders again only what an edit may reach.
	pr.recording, pr.edited = true, files
	rep, err := pr.run(ctx, nil)
	pr.recording = false
	if err != nil {
		pr.close()
		return nil, err
	}
	pr.baseRep, pr.base = rep, byFingerprint(rep.Findings)
	return pr, nil
}

func (pr *prover) close() { os.RemoveAll(pr.tmp) }

// run checks the copy with files (repo-relative path → content) written
// over it, and puts the copy back afterwards.
func (pr *prover) run(ctx context.Context, files map[string][]byte) (report.Report, error) {
	var edited []string
	for name, content := range files {
		p := filepath.Join(pr.tmp, filepath.FromSlash(name))
		old, err := os.ReadFile(p)
		if err != nil {
			return report.Report{}, err
		}
		defer os.WriteFile(p, old, 0o644)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			return report.Report{}, err
		}
		edited = append(edited, name)
	}
	if !pr.recording {
		pr.edited = edited
	}
	cfg := *pr.plan.Config
	cfg.Root = pr.tmp
	renderers := map[string]render.Renderer{}
	for source, r := range rendererMap(pr.plan) {
		renderers[source] = &reuse{inner: r, pr: pr}
	}
	p := &engine.Plan{Config: &cfg, Environments: pr.plan.Environments, Today: pr.plan.Today,
		ToolVersion: pr.plan.ToolVersion, Renderers: renderers, Elapsed: func(time.Time) int64 { return 0 }}
	// An internal error (a stage panicked) proves nothing: the caller
	// takes any error as "not proven".
	return engine.Run(ctx, p)
}

// rendererMap is the plan's renderers, without Record's.
func rendererMap(p *engine.Plan) map[string]render.Renderer {
	if p.Renderers == nil {
		return engine.DefaultRenderers()
	}
	out := map[string]render.Renderer{}
	for source, r := range p.Renderers {
		if rec, ok := r.(*recorder); ok {
			r = rec.inner
		}
		out[source] = r
	}
	return out
}

// Record makes the plan's renderers keep what they render, so that
// proving fixes after the plan has run renders again only the
// environments an edit may reach.
func Record(p *engine.Plan) {
	rs := rendererMap(p)
	p.Renderers = map[string]render.Renderer{}
	for source, r := range rs {
		p.Renderers[source] = &recorder{inner: r, results: map[string]render.Result{}}
	}
}

// recorder is a renderer that keeps its results by render key.
type recorder struct {
	inner   render.Renderer
	mu      sync.Mutex
	results map[string]render.Result
}

func (r *recorder) Render(ctx context.Context, root string, env config.Environment, opts render.Options) render.Result {
	res := r.inner.Render(ctx, root, env, opts)
	r.mu.Lock()
	r.results[engine.RenderKey(env)] = res
	r.mu.Unlock()
	return res
}

// recordedOf is what the plan's recorders rendered.
func recordedOf(p *engine.Plan) map[string]render.Result {
	out := map[string]render.Result{}
	for _, r := range p.Renderers {
		if rec, ok := r.(*recorder); ok {
			rec.mu.Lock()
			maps.Copy(out, rec.results)
			rec.mu.Unlock()
		}
	}
	return out
}

// reuse renders an environment that an edit touches and hands out the
// rendering it already has of any other: the copy's, else the recorded
// run's.
type reuse struct {
	inner render.Renderer
	pr    *prover
}

func (r *reuse) Render(ctx context.Context, root string, env config.Environment, opts render.Options) render.Result {
	key := engine.RenderKey(env)
	pr := r.pr
	pr.mu.Lock()
	touched := false
	for _, f := range pr.edited {
		touched = touched || config.Touches(pr.inputs[env.Name], f)
	}
	cached, ok := pr.rendered[key]
	if !ok {
		cached, ok = pr.recorded[key]
	}
	recording := pr.recording
	pr.mu.Unlock()
	if ok && !touched {
		return cached
	}
	res := r.inner.Render(ctx, root, env, opts)
	if recording {
		pr.mu.Lock()
		pr.rendered[key] = res
		pr.mu.Unlock()
	}
	return res
}

// verdict is what one proof found.
type verdict struct {
	// tried: the edit was checked (its targets are gaps of the copy and
	// the run went through); ok: it removes them all and adds none.
	tried, ok bool
	// removed are the base's findings the edit removes, added those it
	// adds (or raises in severity), kept the targets it leaves.
	removed, added, kept []finding.Finding
	after                report.Report
}

// prove checks that files remove every finding of targets and add none:
// no finding the base lacks, none of a higher severity than in the base.
func (pr *prover) prove(ctx context.Context, files map[string][]byte, targets []string) verdict {
	for _, fp := range targets {
		if _, ok := pr.base[fp]; !ok {
			return verdict{}
		}
	}
	rep, err := pr.run(ctx, files)
	if err != nil {
		return verdict{}
	}
	v := verdict{tried: true, after: rep}
	after := byFingerprint(rep.Findings)
	for _, fp := range targets {
		if f, still := after[fp]; still {
			v.kept = append(v.kept, f)
		}
	}
	for _, f := range rep.Findings {
		if b, ok := pr.base[f.Fingerprint]; !ok || f.Severity.Rank() > b.Severity.Rank() {
			v.added = append(v.added, f)
		}
	}
	for _, f := range orderedFindings(pr.base) {
		if _, ok := after[f.Fingerprint]; !ok {
			v.removed = append(v.removed, f)
		}
	}
	v.ok = len(v.kept) == 0 && len(v.added) == 0
	return v
}

func byFingerprint(fs []finding.Finding) map[string]finding.Finding {
	out := make(map[string]finding.Finding, len(fs))
	for _, f := range fs {
		out[f.Fingerprint] = f
	}
	return out
}

// copyInputs copies the inputs (files, and folders ending in "/") from
// root to dst: regular files only, nothing outside root, at most
// maxCopyBytes.
func copyInputs(root, dst string, inputs []string) error {
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	rfs := r.FS()
	var total int64
	seen := map[string]bool{}
	copyFile := func(name string) error {
		if seen[name] {
			return nil
		}
		seen[name] = true
		fi, err := fs.Stat(rfs, name)
		if err != nil || !fi.Mode().IsRegular() {
			return nil // what is missing stays missing in the copy
		}
		if total += fi.Size(); total > maxCopyBytes {
			return fmt.Errorf("the environments' inputs are larger than %d MiB", maxCopyBytes>>20)
		}
		return copyOne(rfs, name, filepath.Join(dst, filepath.FromSlash(name)))
	}
	for _, in := range inputs {
		dir, isDir := strings.CutSuffix(in, "/")
		if !isDir {
			if err := copyFile(path.Clean(in)); err != nil {
				return err
			}
			continue
		}
		if dir == "." || dir == "" {
			dir = "."
		}
		err := fs.WalkDir(rfs, dir, func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return nil
			case d.IsDir() && d.Name() == ".git":
				return fs.SkipDir
			case d.Type().IsRegular():
				return copyFile(p)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func copyOne(rfs fs.FS, name, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := rfs.Open(name)
	if err != nil {
		return nil
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
