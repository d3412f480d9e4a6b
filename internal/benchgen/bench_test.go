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
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/render/helm"
	"github.com/meshgate/meshgate/internal/render/kustomize"
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
	cfg  *config.Config
	envs []config.Environment
	res  []render.Result
	sets []*manifest.Set
}

var (
	benchOnce sync.Once
	benchData rendered
	benchErr  error
)

func setup(b *testing.B) rendered {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			benchErr = err
			return
		}
		benchData.dir = dir
		if benchErr = benchgen.Generate(dir, benchgen.Options{Envs: benchEnvs, Services: benchServices, Seed: benchgen.DefaultSeed}); benchErr != nil {
			return
		}
		cfg, err := config.Load(dir, benchgen.ConfigFile)
		if err != nil {
			benchErr = err
			return
		}
		benchData.cfg = cfg
		for _, env := range cfg.Environments {
			var r render.Renderer = helm.Renderer{}
			if env.Kustomize != nil {
				r = kustomize.Renderer{}
			}
			res := r.Render(context.Background(), dir, env, render.Options{})
			if res.Err != nil {
				benchErr = res.Err
				return
			}
			set, berr := manifest.Build(res)
			if berr != nil {
				benchErr = berr
				return
			}
			benchData.envs = append(benchData.envs, env)
			benchData.res = append(benchData.res, res)
			benchData.sets = append(benchData.sets, set)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchData
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
		var r render.Renderer = helm.Renderer{}
		if env.Kustomize != nil {
			r = kustomize.Renderer{}
		}
		b.Run(src, func(b *testing.B) {
			for b.Loop() {
				if res := r.Render(context.Background(), d.dir, env, render.Options{}); res.Err != nil {
					b.Fatal(res.Err)
				}
			}
		})
	}
}

// BenchmarkExtract: decoding the rendered documents into workloads, Secret
// producers and references, with source lines; per environment, and as a
// run does it, with source files shared between environments.
func BenchmarkExtract(b *testing.B) {
	d := setup(b)
	b.Run("unshared", func(b *testing.B) {
		for b.Loop() {
			for _, res := range d.res {
				if _, err := manifest.Build(res); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	// As a run does it: the environments share their source files.
	b.Run("shared", func(b *testing.B) {
		for b.Loop() {
			shared := manifest.NewShared()
			for _, res := range d.res {
				if _, err := manifest.BuildShared(res, shared); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkCheck: each check family over every environment (mesh
// evaluation; the Secret index and reference resolution), then all of them
// with exemptions.
func BenchmarkCheck(b *testing.B) {
	d := setup(b)
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, c := range check.Checks {
		b.Run(c.Name, func(b *testing.B) {
			for b.Loop() {
				for i, env := range d.envs {
					c.Run(check.Input{Config: d.cfg, Env: env, Set: d.sets[i], Today: today})
				}
			}
		})
	}
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			for i, env := range d.envs {
				check.Environment(check.Input{Config: d.cfg, Env: env, Set: d.sets[i], Today: today})
			}
		}
	})
}

// BenchmarkFormat: each formatter over the report of every environment.
func BenchmarkFormat(b *testing.B) {
	d := setup(b)
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	rep := report.Report{Tool: report.Tool{Name: "meshgate", Version: "bench"}}
	for i, env := range d.envs {
		fs, ign := check.Environment(check.Input{Config: d.cfg, Env: env, Set: d.sets[i], Today: today})
		e := report.Environment{Name: env.Name, Source: env.Source(), Path: env.Path(), Objects: len(d.sets[i].Objects), Workloads: len(d.sets[i].Workloads)}
		for _, w := range d.sets[i].Workloads {
			e.WorkloadIDs = append(e.WorkloadIDs, w.ID())
		}
		rep.Environments = append(rep.Environments, e)
		rep.Findings = append(rep.Findings, fs...)
		rep.Ignored = append(rep.Ignored, ign...)
	}
	rep.Finalize()
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
