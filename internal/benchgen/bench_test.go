package benchgen_test

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/benchgen"
	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
)

// The hot paths after rendering, on a generated repository: rendering is
// done once per benchmark binary, outside the timed loops. Run with
//
//	go test -run '^$' -bench . ./internal/benchgen
//
// BENCH_ENVS/BENCH_SERVICES are not read: the size is fixed so that
// results compare across commits (4 environments x 50 services: two Helm,
// two kustomize).
const benchEnvs, benchServices = 4, 50

type rendered struct {
	dir  string
	plan *engine.Plan
	envs []config.Environment
	res  []render.Result
	sets []*manifest.Set
	// rep is the engine's report of the whole repository.
	rep report.Report
}

var (
	benchOnce sync.Once
	benchData rendered
	benchErr  error
)

var benchDay = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// newPlan plans a check of the generated repository as the CLI does.
func newPlan(dir string) (*engine.Plan, error) {
	plan, err := engine.NewPlan(context.Background(), engine.Request{Dir: dir, ConfigFile: benchgen.ConfigFile})
	if err != nil {
		return nil, err
	}
	plan.Today, plan.ToolVersion = benchDay, "bench"
	return plan, nil
}

// setup generates the repository and renders, extracts and checks it once
// per benchmark binary, for the benchmarks of the stages after rendering.
func setup(b *testing.B) rendered {
	b.Helper()
	benchOnce.Do(func() { benchErr = prepare(&benchData) })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchData
}

func prepare(d *rendered) error {
	dir, err := mkdirTemp()
	if err != nil {
		return err
	}
	d.dir = dir
	if err := benchgen.Generate(dir, benchgen.Options{Envs: benchEnvs, Services: benchServices, Seed: benchgen.DefaultSeed}); err != nil {
		return err
	}
	if d.plan, err = newPlan(dir); err != nil {
		return err
	}
	shared := manifest.NewShared()
	for _, env := range d.plan.Environments {
		res := d.plan.Render(context.Background(), env)
		if res.Err != nil {
			return res.Err
		}
		set, err := manifest.BuildShared(res, shared)
		if err != nil {
			return err
		}
		d.envs = append(d.envs, env)
		d.res = append(d.res, res)
		d.sets = append(d.sets, set)
	}
	d.rep, err = engine.Run(context.Background(), d.plan)
	return err
}

// BenchmarkRun: the whole engine over the generated repository, as
// `meshgate check` runs it: plan, render in the pool, extract, check.
func BenchmarkRun(b *testing.B) {
	d := setup(b)
	for b.Loop() {
		plan, err := newPlan(d.dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := engine.Run(context.Background(), plan); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender: rendering one environment of each source, the part of
// a run that dominates it.
func BenchmarkRender(b *testing.B) {
	d := setup(b)
	seen := map[string]bool{}
	for _, env := range d.envs {
		src := env.Source()
		if seen[src] {
			continue
		}
		seen[src] = true
		b.Run(src, func(b *testing.B) {
			for b.Loop() {
				if res := d.plan.Render(context.Background(), env); res.Err != nil {
					b.Fatal(res.Err)
				}
			}
		})
	}
}

// BenchmarkExtract: decoding the rendered documents into workloads, Secret
// producers and references, with source lines, as a run does it: the
// environments share their source files.
func BenchmarkExtract(b *testing.B) {
	d := setup(b)
	for b.Loop() {
		shared := manifest.NewShared()
		for _, res := range d.res {
			if _, err := manifest.BuildShared(res, shared); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCheck: each check family over every environment (mesh
// evaluation; the Secret index and reference resolution), then all of them
// with exemptions.
func BenchmarkCheck(b *testing.B) {
	d := setup(b)
	today := benchDay
	cfg := d.plan.Config
	for _, c := range check.Checks {
		b.Run(c.Name, func(b *testing.B) {
			for b.Loop() {
				for i, env := range d.envs {
					c.Run(check.Input{Config: cfg, Env: env, Set: d.sets[i], Today: today})
				}
			}
		})
	}
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			for i, env := range d.envs {
				check.Environment(check.Input{Config: cfg, Env: env, Set: d.sets[i], Today: today})
			}
		}
	})
}

// BenchmarkFormat: each formatter over the engine's report of every
// environment.
func BenchmarkFormat(b *testing.B) {
	d := setup(b)
	rep := d.rep
	if len(rep.Findings) == 0 {
		b.Fatal("the generated repository has no findings to format")
	}
	for _, name := range report.Names() {
		f, err := report.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := f(io.Discard, rep, report.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// mkdirTemp makes the generated repository's folder; benchmarks share one
// across the binary, so it outlives any single b.TempDir, and TestMain
// removes it.
func mkdirTemp() (string, error) { return os.MkdirTemp("", "meshgate-bench-") }

func TestMain(m *testing.M) {
	code := m.Run()
	if benchData.dir != "" {
		os.RemoveAll(benchData.dir)
	}
	os.Exit(code)
}
