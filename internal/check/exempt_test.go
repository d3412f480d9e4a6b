package check

import (
	"reflect"
	"testing"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// exemptTestFinding is a reported finding on obj (nil for render-error).
func exemptTestFinding(rule string, obj *manifest.Object) finding.Finding {
	f := finding.Finding{Rule: rule, Severity: finding.SeverityError, Environment: "prod", Message: rule + " message", Subject: rule}
	if obj != nil {
		f.Kind, f.Namespace, f.Name, f.File, f.Line = obj.Kind, obj.Namespace, obj.Name, obj.File, obj.Line
	} else {
		f.File = "charts/shop"
	}
	f.SetFingerprint()
	return f
}

// exemptTestIgnored is f exempted by a config ignore: entry.
func exemptTestIgnored(f finding.Finding, reason string) finding.Finding {
	f.Reason, f.Exemption = reason, finding.ExemptionConfig
	return f
}

// exemptTestInline is f exempted by the meshgate.io/ignore annotation.
func exemptTestInline(f finding.Finding, reason string) finding.Finding {
	f.Reason, f.Exemption = reason, finding.ExemptionInline
	return f
}

// exemptTestWarning is an expected ignore-expired warning.
func exemptTestWarning(obj *manifest.Object, file string, line int, subject, message string) finding.Finding {
	f := finding.Finding{Rule: finding.RuleIgnoreExpired, Severity: finding.SeverityWarning, Environment: "prod",
		Message: message, File: file, Line: line, Subject: subject}
	if obj != nil {
		f.Kind, f.Namespace, f.Name = obj.Kind, obj.Namespace, obj.Name
	}
	f.SetFingerprint()
	return f
}

func exemptTestWorkload(kind, ns, name string, line int, objAnn, podAnn map[string]string) *manifest.Workload {
	return &manifest.Workload{
		Object: &manifest.Object{Kind: kind, Namespace: ns, Name: name, Annotations: objAnn,
			File: "charts/shop/templates/" + name + ".yaml", Line: line},
		Pod: manifest.PodTemplate{Path: []any{"spec", "template"}, Annotations: podAnn},
	}
}

func TestExempt(t *testing.T) {
	today := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	cart := exemptTestWorkload("Deployment", "shop", "cart", 10, nil, nil)
	migrate := exemptTestWorkload("Job", "ops", "db-migrate", 4, nil, nil)
	migrate.IsJob = true
	plainSet := &manifest.Set{Objects: []*manifest.Object{cart.Object, migrate.Object}, Workloads: []*manifest.Workload{cart, migrate}}

	cartInjection := exemptTestFinding(finding.RuleMeshInjection, cart.Object)
	cartSecret := exemptTestFinding(finding.RuleSecretMissing, cart.Object)
	migrateInjection := exemptTestFinding(finding.RuleMeshInjection, migrate.Object)
	renderErr := exemptTestFinding(finding.RuleRenderError, nil)

	entry := func(e config.Ignore) []config.Ignore { e.Line = 42; return []config.Ignore{e} }
	configSubject := func(rules, workloads, envs, until string) string {
		return "config|" + rules + "|" + workloads + "|" + envs + "|" + until
	}

	inlineObj := exemptTestWorkload("Deployment", "shop", "cart", 10,
		map[string]string{exemptAnnotation: "mesh-injection, secret-missing", exemptReasonAnnotation: "legacy service"}, nil)
	inlinePod := exemptTestWorkload("Deployment", "shop", "cart", 10,
		nil, map[string]string{exemptAnnotation: "*", exemptReasonAnnotation: "batch pod"})
	inlineSplit := exemptTestWorkload("Deployment", "shop", "cart", 10,
		map[string]string{exemptAnnotation: "mesh-injection"}, map[string]string{exemptReasonAnnotation: "reason on the template"})
	inlineNoReason := exemptTestWorkload("Deployment", "shop", "cart", 10,
		map[string]string{exemptAnnotation: "secret-missing,mesh-injection"}, nil)
	inlinePodNoReason := exemptTestWorkload("Deployment", "shop", "cart", 10,
		nil, map[string]string{exemptAnnotation: "all"})
	inlineOtherRule := exemptTestWorkload("Deployment", "shop", "cart", 10,
		map[string]string{exemptAnnotation: "mesh-env", exemptReasonAnnotation: "r"}, nil)
	sa := &manifest.Object{Kind: "ServiceAccount", Namespace: "shop", Name: "cart", File: "charts/shop/templates/sa.yaml", Line: 2,
		Annotations: map[string]string{exemptAnnotation: "secret-missing", exemptReasonAnnotation: "registry login is created by the platform"}}
	saSecret := exemptTestFinding(finding.RuleSecretMissing, sa)

	setOf := func(w *manifest.Workload, extra ...*manifest.Object) *manifest.Set {
		return &manifest.Set{Objects: append([]*manifest.Object{w.Object}, extra...), Workloads: []*manifest.Workload{w}}
	}

	tests := []struct {
		name        string
		ignore      []config.Ignore
		set         *manifest.Set
		today       time.Time
		findings    []finding.Finding
		wantKept    []finding.Finding
		wantIgnored []finding.Finding
	}{
		{
			name:        "ignored.config-workload-glob",
			ignore:      entry(config.Ignore{Rules: []string{finding.RuleMeshInjection}, Workloads: []string{"Job/*/db-migrate"}, Reason: "migrations run before the mesh is up"}),
			findings:    []finding.Finding{migrateInjection, cartInjection},
			wantKept:    []finding.Finding{cartInjection},
			wantIgnored: []finding.Finding{exemptTestIgnored(migrateInjection, "migrations run before the mesh is up")},
		},
		{
			name:     "kept.config-workload-glob-no-match",
			ignore:   entry(config.Ignore{Workloads: []string{"Job/shop/*"}, Reason: "r"}),
			findings: []finding.Finding{migrateInjection},
			wantKept: []finding.Finding{migrateInjection},
		},
		{
			name:     "kept.config-rule-not-listed",
			ignore:   entry(config.Ignore{Rules: []string{finding.RuleMeshEnv}, Reason: "r"}),
			findings: []finding.Finding{cartInjection},
			wantKept: []finding.Finding{cartInjection},
		},
		{
			name:        "ignored.config-all-rules-all-workloads",
			ignore:      entry(config.Ignore{Reason: "everything, for now"}),
			findings:    []finding.Finding{cartInjection, cartSecret},
			wantIgnored: []finding.Finding{exemptTestIgnored(cartInjection, "everything, for now"), exemptTestIgnored(cartSecret, "everything, for now")},
		},
		{
			name:        "ignored.config-environment-glob",
			ignore:      entry(config.Ignore{Environments: []string{"pro*"}, Reason: "r"}),
			findings:    []finding.Finding{cartInjection},
			wantIgnored: []finding.Finding{exemptTestIgnored(cartInjection, "r")},
		},
		{
			name:     "kept.config-other-environment",
			ignore:   entry(config.Ignore{Environments: []string{"staging"}, Reason: "r"}),
			findings: []finding.Finding{cartInjection},
			wantKept: []finding.Finding{cartInjection},
		},
		{
			name: "kept.config-expired",
			ignore: entry(config.Ignore{Rules: []string{finding.RuleMeshInjection}, Workloads: []string{"Deployment/shop/cart"},
				Reason: "r", Until: "2026-01-31"}),
			findings: []finding.Finding{cartInjection},
			wantKept: []finding.Finding{cartInjection, exemptTestWarning(cart.Object, ".meshgate.yaml", 42,
				configSubject("mesh-injection", "Deployment/shop/cart", "", "2026-01-31"),
				"exemption at .meshgate.yaml:42 expired on 2026-01-31; mesh-injection is reported again")},
		},
		{
			name:        "ignored.config-until-today",
			ignore:      entry(config.Ignore{Reason: "r", Until: "2026-01-31"}),
			today:       time.Date(2026, 1, 31, 23, 59, 59, 0, time.UTC),
			findings:    []finding.Finding{cartInjection},
			wantIgnored: []finding.Finding{exemptTestIgnored(cartInjection, "r")},
		},
		{
			name:        "ignored.config-until-today-in-utc",
			ignore:      entry(config.Ignore{Reason: "r", Until: "2026-01-31"}),
			today:       time.Date(2026, 2, 1, 1, 0, 0, 0, time.FixedZone("UTC+5", 5*3600)),
			findings:    []finding.Finding{cartInjection},
			wantIgnored: []finding.Finding{exemptTestIgnored(cartInjection, "r")},
		},
		{
			name:     "kept.config-no-reason-one-warning-per-object",
			ignore:   entry(config.Ignore{Workloads: []string{"*/*/*"}}),
			findings: []finding.Finding{cartInjection, cartSecret, migrateInjection},
			wantKept: []finding.Finding{cartInjection, cartSecret, migrateInjection,
				exemptTestWarning(cart.Object, ".meshgate.yaml", 42, configSubject("", "*/*/*", "", ""),
					"exemption at .meshgate.yaml:42 has no reason; mesh-injection, secret-missing are reported again"),
				exemptTestWarning(migrate.Object, ".meshgate.yaml", 42, configSubject("", "*/*/*", "", ""),
					"exemption at .meshgate.yaml:42 has no reason; mesh-injection is reported again"),
			},
		},
		{
			name:     "kept.config-expired-and-no-reason",
			ignore:   entry(config.Ignore{Rules: []string{finding.RuleSecretMissing}, Until: "2025-12-01"}),
			findings: []finding.Finding{cartSecret},
			wantKept: []finding.Finding{cartSecret, exemptTestWarning(cart.Object, ".meshgate.yaml", 42,
				configSubject("secret-missing", "", "", "2025-12-01"),
				"exemption at .meshgate.yaml:42 expired on 2025-12-01 and has no reason; secret-missing is reported again")},
		},
		{
			name: "ignored.config-valid-entry-silences-expired-one",
			ignore: []config.Ignore{
				{Rules: []string{finding.RuleMeshInjection}, Reason: "old", Until: "2025-01-01", Line: 40},
				{Rules: []string{finding.RuleMeshInjection}, Reason: "renewed", Until: "2027-01-01", Line: 44},
			},
			findings:    []finding.Finding{cartInjection},
			wantIgnored: []finding.Finding{exemptTestIgnored(cartInjection, "renewed")},
		},
		{
			name:        "ignored.render-error-by-entry-without-workloads",
			ignore:      entry(config.Ignore{Rules: []string{finding.RuleRenderError}, Environments: []string{"prod"}, Reason: "chart is being rewritten"}),
			findings:    []finding.Finding{renderErr},
			wantIgnored: []finding.Finding{exemptTestIgnored(renderErr, "chart is being rewritten")},
		},
		{
			name:     "kept.render-error-not-covered-by-workload-glob",
			ignore:   entry(config.Ignore{Workloads: []string{"Deployment/*/*"}, Reason: "r"}),
			findings: []finding.Finding{renderErr},
			wantKept: []finding.Finding{renderErr},
		},
		{
			name:        "ignored.render-error-by-glob-matching-empty-ids",
			ignore:      entry(config.Ignore{Workloads: []string{"*/*/*"}, Reason: "r"}),
			findings:    []finding.Finding{renderErr, cartInjection},
			wantIgnored: []finding.Finding{exemptTestIgnored(renderErr, "r"), exemptTestIgnored(cartInjection, "r")},
		},
		{
			name:     "kept.config-star-does-not-cross-slash",
			ignore:   entry(config.Ignore{Workloads: []string{"Deployment/*", "*"}, Reason: "r"}),
			findings: []finding.Finding{cartInjection, renderErr},
			wantKept: []finding.Finding{cartInjection, renderErr},
		},
		{
			name:     "kept.ignore-expired-never-exempted",
			ignore:   entry(config.Ignore{Reason: "everything"}),
			findings: []finding.Finding{exemptTestWarning(cart.Object, ".meshgate.yaml", 7, "x", "old warning")},
			wantKept: []finding.Finding{exemptTestWarning(cart.Object, ".meshgate.yaml", 7, "x", "old warning")},
		},
		{
			name:        "ignored.inline-object-metadata",
			set:         setOf(inlineObj),
			findings:    []finding.Finding{cartInjection, cartSecret},
			wantIgnored: []finding.Finding{exemptTestInline(cartInjection, "legacy service"), exemptTestInline(cartSecret, "legacy service")},
		},
		{
			name:        "ignored.inline-pod-template",
			set:         setOf(inlinePod),
			findings:    []finding.Finding{cartInjection},
			wantIgnored: []finding.Finding{exemptTestInline(cartInjection, "batch pod")},
		},
		{
			name:        "ignored.inline-reason-on-other-metadata",
			set:         setOf(inlineSplit),
			findings:    []finding.Finding{cartInjection},
			wantIgnored: []finding.Finding{exemptTestInline(cartInjection, "reason on the template")},
		},
		{
			name:     "kept.inline-other-rule",
			set:      setOf(inlineOtherRule),
			findings: []finding.Finding{cartInjection},
			wantKept: []finding.Finding{cartInjection},
		},
		{
			name:        "ignored.inline-service-account",
			set:         setOf(cart, sa),
			findings:    []finding.Finding{saSecret, cartSecret},
			wantKept:    []finding.Finding{cartSecret},
			wantIgnored: []finding.Finding{exemptTestInline(saSecret, "registry login is created by the platform")},
		},
		{
			name:     "kept.inline-without-reason",
			set:      setOf(inlineNoReason),
			findings: []finding.Finding{cartSecret},
			wantKept: []finding.Finding{cartSecret, exemptTestWarning(cart.Object, cart.File, 10, "inline|metadata",
				"inline exemption meshgate.io/ignore on Deployment shop/cart has no meshgate.io/ignore-reason; secret-missing is reported again")},
		},
		{
			name:     "kept.inline-pod-template-without-reason",
			set:      setOf(inlinePodNoReason),
			findings: []finding.Finding{cartInjection, cartSecret},
			wantKept: []finding.Finding{cartInjection, cartSecret, exemptTestWarning(cart.Object, cart.File, 10, "inline|template",
				"inline exemption meshgate.io/ignore on the pod template of Deployment shop/cart has no meshgate.io/ignore-reason; mesh-injection, secret-missing are reported again")},
		},
		{
			name:        "ignored.config-silences-inline-without-reason",
			ignore:      entry(config.Ignore{Rules: []string{finding.RuleSecretMissing}, Reason: "r"}),
			set:         setOf(inlineNoReason),
			findings:    []finding.Finding{cartSecret},
			wantIgnored: []finding.Finding{exemptTestIgnored(cartSecret, "r")},
		},
		{
			name:     "kept.no-exemptions",
			set:      plainSet,
			findings: []finding.Finding{cartInjection, migrateInjection},
			wantKept: []finding.Finding{cartInjection, migrateInjection},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := today
			if !tt.today.IsZero() {
				day = tt.today
			}
			set := tt.set
			if set == nil {
				set = plainSet
			}
			in := Input{
				Config: &config.Config{File: ".meshgate.yaml", Ignore: tt.ignore},
				Env:    config.Environment{Name: "prod"},
				Set:    set,
				Today:  day,
			}
			kept, ignored := exempt(in, tt.findings)
			if !reflect.DeepEqual(kept, tt.wantKept) {
				t.Errorf("kept:\n got  %+v\n want %+v", kept, tt.wantKept)
			}
			if !reflect.DeepEqual(ignored, tt.wantIgnored) {
				t.Errorf("ignored:\n got  %+v\n want %+v", ignored, tt.wantIgnored)
			}
		})
	}
}

func TestExemptWithoutSetOrConfig(t *testing.T) {
	f := exemptTestFinding(finding.RuleRenderError, nil)
	kept, ignored := exempt(Input{Env: config.Environment{Name: "prod"}}, []finding.Finding{f})
	if !reflect.DeepEqual(kept, []finding.Finding{f}) || ignored != nil {
		t.Errorf("got kept %+v ignored %+v, want the finding kept", kept, ignored)
	}
}
