package check

import (
	"cmp"
	"fmt"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/gitops"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/render"
)

// Input is one environment's rendered set with the config that judges it.
type Input struct {
	Config *config.Config
	Env    config.Environment
	Set    *manifest.Set
	// Today decides whether an exemption's until date has passed.
	Today time.Time
	// GitOps, when the engine expanded GitOps objects, says which of this
	// rendering's are environments of their own and what of them is not
	// expanded; nil when nothing was expanded.
	GitOps *GitOps
}

// GitOps is what became of the GitOps objects of one rendering.
type GitOps struct {
	Followed []gitops.Ref
	Notes    []gitops.Note
}

// Check is one family of checks over an environment's rendered set.
type Check struct {
	Name  string
	Rules []string
	Run   func(Input) []finding.Finding
}

// Checks are every check Environment runs, in order.
var Checks = []Check{
	{Name: "rendering", Rules: []string{finding.RuleRenderWarning}, Run: renderWarnings},
	{Name: "mesh", Rules: []string{finding.RuleMeshInjection, finding.RuleMeshAnnotation, finding.RuleMeshEnv, finding.RuleMeshJobSidecar}, Run: meshFindings},
	{Name: "secrets", Rules: []string{finding.RuleSecretMissing, finding.RuleSecretKeyMissing}, Run: secretFindings},
	{Name: "gitops", Rules: []string{finding.RuleGitOpsNotRendered}, Run: gitopsFindings},
}

// Environment runs every check over one environment and splits the result
// into reported findings and exempted ones (with their reason).
func Environment(in Input) (findings, ignored []finding.Finding) {
	findings, ignored, _ = EnvironmentDrift(in)
	return findings, ignored
}

// EnvironmentDrift is Environment with mesh-drift among siblings, which
// needs the other rules' findings, and the environment's drift profile for
// the comparisons across environments and with a base.
func EnvironmentDrift(in Input) (findings, ignored []finding.Finding, p *DriftProfile) {
	var all []finding.Finding
	for _, c := range Checks {
		all = append(all, c.Run(in)...)
	}
	inlineLocations(in, all)
	setCauses(in, all)
	p = driftProfile(in)
	all = append(all, driftSiblingFindings(in, p, driftReportedOf(all))...)
	dropMovedRemedies(in, all)
	findings, ignored = exempt(in, all)
	return findings, ignored, p
}

// RenderFailure is the render-error finding for an environment that did not
// render, after exemptions (an exemption may name render-error).
func RenderFailure(in Input, err *render.Error) (findings, ignored []finding.Finding) {
	f := finding.Finding{
		Rule:        finding.RuleRenderError,
		Severity:    finding.SeverityError,
		Environment: in.Env.Name,
		Message:     err.Message,
		File:        err.File,
		Line:        err.Line,
		Subject:     "render",
	}
	if f.File == "" {
		f.File = in.Env.Path()
	}
	f.SetFingerprint()
	return exempt(in, []finding.Finding{f})
}

// renderWarnings are the caveats of a rendering (render.Warning, from the
// renderer and the decoding of its documents), and an environment that
// rendered no object: it deploys nothing and would pass every check.
func renderWarnings(in Input) []finding.Finding {
	warnings := in.Set.Warnings
	if len(in.Set.Objects) == 0 {
		warnings = append(warnings, render.Warning{File: in.Env.Path(), Message: "the environment rendered no objects; does it need values or a kustomization that lists resources?"})
	}
	var out []finding.Finding
	for _, w := range warnings {
		f := finding.Finding{
			Rule:        finding.RuleRenderWarning,
			Severity:    cmp.Or(w.Severity, finding.SeverityWarning),
			Environment: in.Env.Name,
			Message:     w.Message,
			File:        w.File,
			Line:        w.Line,
			Subject:     fmt.Sprintf("%s:%d:%s", w.File, w.Line, w.Message),
		}
		f.SetFingerprint()
		out = append(out, f)
	}
	return out
}

// newFinding is the one constructor the checks use: it fills identity,
// location and fingerprint from the object and the field path.
func newFinding(in Input, rule string, sev finding.Severity, obj *manifest.Object, container, subject, message string, path ...any) finding.Finding {
	f := finding.Finding{
		Rule:        rule,
		Severity:    sev,
		Environment: in.Env.Name,
		Kind:        obj.Kind,
		Namespace:   obj.Namespace,
		Name:        obj.Name,
		Container:   container,
		Message:     message,
		Subject:     subject,
	}
	f.File, f.Line = obj.Locate(path...)
	f.SetFingerprint()
	return f
}

// dropMovedRemedies takes the remedy off a finding located away from its
// object's source file (at a GitOps object's own values or patch): the
// remedy's lines are that source file's, so internal/fix would edit the
// wrong file. The finding's message and fix text stay.
func dropMovedRemedies(in Input, fs []finding.Finding) {
	if in.Set == nil {
		return
	}
	files := map[string]string{}
	for _, o := range in.Set.Objects {
		files[o.ID()] = o.File
	}
	for i := range fs {
		f := &fs[i]
		if f.Remedy != nil && f.File != files[f.Kind+"/"+f.Namespace+"/"+f.Name] {
			f.Remedy = nil
		}
	}
}
