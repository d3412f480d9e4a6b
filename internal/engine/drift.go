package engine

import (
	"maps"
	"slices"
	"time"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
)

// redactProfile removes what the environment's rendering saw from the
// setting values mesh-drift keeps: they reach messages of other
// environments and the JSON report.
func redactProfile(p *check.DriftProfile, secrets []string) {
	if p == nil || len(secrets) == 0 {
		return
	}
	for _, w := range p.Workloads {
		for k, v := range w.Settings {
			w.Settings[k] = render.Redacted(v, secrets)
		}
	}
}

// coverageOf is an environment's mesh coverage for the report; nil when
// the provider checks no injection.
func coverageOf(p *check.DriftProfile) *report.Coverage {
	if p == nil || !p.Decided {
		return nil
	}
	c := &report.Coverage{Workloads: len(p.Workloads)}
	for _, w := range p.Workloads {
		if !w.Meshed {
			c.Unmeshed = append(c.Unmeshed, w.ID)
			continue
		}
		c.Meshed++
		settings := map[string]string{}
		for k, v := range w.Settings {
			if k != check.DriftMeshed {
				settings[k] = v
			}
		}
		if len(settings) > 0 {
			if c.Settings == nil {
				c.Settings = map[string]map[string]string{}
			}
			c.Settings[w.ID] = settings
		}
	}
	slices.Sort(c.Unmeshed)
	return c
}

// driftAcross adds the mesh-drift findings of the environments axis to
// each environment's results.
func driftAcross(cfg *config.Config, today time.Time, results []envResult) {
	var profiles []*check.DriftProfile
	reported := map[string][]finding.Finding{}
	at := map[string]int{}
	for i, r := range results {
		if r.Drift == nil {
			continue
		}
		profiles = append(profiles, r.Drift)
		reported[r.Env.Name] = append(slices.Clone(r.Findings), r.Ignored...)
		at[r.Env.Name] = i
	}
	if len(profiles) < 3 {
		return
	}
	fs, ign := check.DriftAcross(cfg, today, profiles, reported)
	for env, i := range at {
		results[i].Findings = append(results[i].Findings, fs[env]...)
		results[i].Ignored = append(results[i].Ignored, ign[env]...)
	}
}

// driftSince compares each environment with the base report: coverage
// change, and mesh-drift findings for what was lost since.
func driftSince(cfg *config.Config, today time.Time, rep *report.Report, results []envResult, base report.Report) {
	baseEnv := map[string]report.Environment{}
	for _, e := range base.Environments {
		baseEnv[e.Name] = e
	}
	byName := map[string]*check.DriftProfile{}
	for _, r := range results {
		byName[r.Env.Name] = r.Drift
	}
	for i := range rep.Environments {
		e := &rep.Environments[i]
		b, ok := baseEnv[e.Name]
		if !ok || b.Mesh == nil || e.Mesh == nil {
			continue
		}
		had := baseSettings(b)
		e.Mesh.Base = &report.CoverageChange{Meshed: b.Mesh.Meshed, Workloads: b.Mesh.Workloads}
		for _, id := range e.Mesh.Unmeshed {
			if had[id] != nil {
				e.Mesh.Base.Lost = append(e.Mesh.Base.Lost, id)
			}
		}
		p := byName[e.Name]
		if p == nil {
			continue
		}
		var reported []finding.Finding
		for _, list := range [][]finding.Finding{rep.Findings, rep.Ignored} {
			for _, f := range list {
				if f.Environment == e.Name {
					reported = append(reported, f)
				}
			}
		}
		fs, ign := check.DriftSince(cfg, today, p, had, reported)
		rep.Findings = append(rep.Findings, fs...)
		rep.Ignored = append(rep.Ignored, ign...)
	}
	rep.Finalize()
}

// baseSettings maps each workload meshed in the base environment to its
// settings, "meshed" among them.
func baseSettings(b report.Environment) map[string]map[string]string {
	unmeshed := map[string]bool{}
	for _, id := range b.Mesh.Unmeshed {
		unmeshed[id] = true
	}
	out := map[string]map[string]string{}
	for _, id := range b.WorkloadIDs {
		if unmeshed[id] {
			continue
		}
		s := maps.Clone(b.Mesh.Settings[id])
		if s == nil {
			s = map[string]string{}
		}
		s[check.DriftMeshed] = "true"
		out[id] = s
	}
	return out
}
