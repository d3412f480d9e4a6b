package check

import (
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
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
}

// Check is one family of checks over an environment's rendered set.
type Check struct {
	Name  string
	Rules []string
	Run   func(Input) []finding.Finding
}

// Checks are every check Environment runs, in order.
var Checks = []Check{
	{Name: "mesh", Rules: []string{finding.RuleMeshInjection, finding.RuleMeshAnnotation, finding.RuleMeshEnv, finding.RuleMeshJobSidecar}, Run: meshFindings},
	{Name: "secrets", Rules: []string{finding.RuleSecretMissing, finding.RuleSecretKeyMissing}, Run: secretFindings},
	{Name: "gitops", Rules: []string{finding.RuleGitOpsNotRendered}, Run: gitopsFindings},
}

// Environment runs every check over one environment and splits the result
// into reported findings and exempted ones (with their reason).
func Environment(in Input) (findings, ignored []finding.Finding) {
	var all []finding.Finding
	for _, c := range Checks {
		all = append(all, c.Run(in)...)
	}
	setCauses(in, all)
	return exempt(in, all)
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
		File:        obj.File,
		Line:        obj.LineOf(path...),
		Subject:     subject,
	}
	f.SetFingerprint()
	return f
}
