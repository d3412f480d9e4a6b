package gitops

import (
	"cmp"
	"fmt"
	"path"
	"strings"
)

// FluxRemoteChart is a chart a HelmRelease takes from outside the
// repository: not fetched, unless gitops.charts names a vendored copy.
type FluxRemoteChart struct {
	// Source names the Flux source ("HelmRepository podinfo/podinfo").
	Source string
	// URL is the source's URL (https://… or oci://…), "" when the source
	// is not in the repository.
	URL string
	// Chart is the chart's name; Version its version constraint.
	Chart, Version string
	// ValuesFiles are spec.chart.spec.valuesFiles, relative to the chart.
	ValuesFiles []string
}

func (c *FluxRemoteChart) String() string {
	s := "chart " + c.Chart
	if c.Version != "" {
		s += " " + c.Version
	}
	s += " from " + c.Source
	if c.URL != "" {
		s += " (" + c.URL + ")"
	}
	return s
}

// FluxHelmPlan is what a HelmRelease deploys.
type FluxHelmPlan struct {
	// Chart is the chart's path in the repository, "" when Remote.
	Chart  string
	Remote *FluxRemoteChart
	// ValuesFiles replace the chart's values.yaml (source-controller
	// packages the chart with their merge as its values.yaml); repository
	// paths. IgnoreMissingValuesFiles skips the absent ones.
	ValuesFiles              []string
	IgnoreMissingValuesFiles bool
	Release, Namespace       string
	// Values are the values documents in Flux's order (FluxHelmValues).
	Values   []FluxValues
	SkipCRDs bool
	// DisableHooks is install.disableHooks: no hook objects are created.
	DisableHooks bool
	// Secrets are values that came from Secrets.
	Secrets []string
	// Source names where the chart comes from, for the listing.
	Source    string
	DependsOn []string
	// Notes say what of the HelmRelease is not modelled or not known.
	Notes []string
}

// PlanFluxHelmRelease reads a HelmRelease and resolves its chart. A chart
// from a source that is not followed gives no plan and the notice saying
// why; a remote chart gives a plan with Remote set, for the caller to map
// to a vendored copy or to report.
func PlanFluxHelmRelease(repo FluxRepo, obj *Object, lookup FluxDataLookup) (*FluxHelmPlan, string, error) {
	spec := obj.Spec()
	plan, why, err := fluxChart(repo, obj, spec)
	if plan == nil || err != nil {
		return nil, why, err
	}
	target := str(spec, "targetNamespace")
	plan.Release = FluxReleaseName(obj.Name, target, str(spec, "releaseName"))
	plan.Namespace = FluxReleaseNamespace(obj.Namespace, target)
	if plan.SkipCRDs, err = FluxSkipCRDs(spec); err != nil {
		return nil, "", err
	}
	plan.DisableHooks = sub(spec, "install")["disableHooks"] == true
	refs, err := ReadFluxValuesFrom(spec)
	if err != nil {
		return nil, "", err
	}
	inline := FluxValues{File: obj.File, Line: obj.line("spec", "values")}
	if raw, ok := spec["values"]; ok && raw != nil {
		if inline.Values, ok = raw.(map[string]any); !ok {
			return nil, "", fmt.Errorf("spec.values: want a mapping, got %s", typeName(raw))
		}
		inline.Line = firstKeyLine(obj, inline.Values, inline.Line, "spec", "values")
	}
	var notes []string
	plan.Values, plan.Secrets, notes, err = FluxHelmValues(inline, refs, obj.Namespace, lookup)
	if err != nil {
		return nil, "", err
	}
	plan.Notes = append(plan.Notes, notes...)
	for _, field := range []string{"postRenderers", "commonMetadata"} {
		if spec[field] != nil {
			plan.Notes = append(plan.Notes, fmt.Sprintf("%s: spec.%s is not applied to the rendered chart", obj.Ref().String(), field))
		}
	}
	if plan.DependsOn, err = readDependsOn(spec, obj.Namespace); err != nil {
		return nil, "", err
	}
	return plan, "", nil
}

// fluxChart resolves where the chart of a HelmRelease comes from:
// spec.chartRef (an OCIRepository, or a HelmChart object), else the
// HelmChart template spec.chart.spec.
func fluxChart(repo FluxRepo, obj *Object, spec map[string]any) (*FluxHelmPlan, string, error) {
	if ref := sub(spec, "chartRef"); ref != nil {
		r, err := readSourceRef(ref, obj.Namespace, "spec.chartRef")
		if err != nil {
			return nil, "", err
		}
		switch r.Kind {
		case "OCIRepository":
			return &FluxHelmPlan{Remote: ociChart(repo, r), Source: r.String()}, "", nil
		case "HelmChart":
			hc := repo.Find("HelmChart", r.Namespace, r.Name)
			if hc == nil {
				return nil, "its chart " + r.String() + " is not in the repository", nil
			}
			return chartSpec(repo, hc.Spec(), hc.Namespace, "HelmChart "+hc.Namespace+"/"+hc.Name+" spec")
		}
		return nil, "its chart comes from " + r.String() + ", which is not fetched", nil
	}
	cs := sub(sub(spec, "chart"), "spec")
	if cs == nil {
		return nil, "", fmt.Errorf("spec: want chart.spec or chartRef")
	}
	return chartSpec(repo, cs, obj.Namespace, "spec.chart.spec")
}

// chartSpec resolves a HelmChart spec (chart, version, sourceRef,
// valuesFiles) of an object in namespace ns.
func chartSpec(repo FluxRepo, cs map[string]any, ns, field string) (*FluxHelmPlan, string, error) {
	chart := str(cs, "chart")
	if chart == "" {
		return nil, "", fmt.Errorf("%s.chart: missing", field)
	}
	r, err := readSourceRef(sub(cs, "sourceRef"), ns, field+".sourceRef")
	if err != nil {
		return nil, "", err
	}
	files, err := readStrings(cs, "valuesFiles", field+".valuesFiles")
	if err != nil {
		return nil, "", err
	}
	if f := str(cs, "valuesFile"); f != "" && len(files) == 0 {
		files = []string{f} // v2beta1's single file
	}
	ignoreMissing := cs["ignoreMissingValuesFiles"] == true
	switch r.Kind {
	case "HelmRepository":
		remote := &FluxRemoteChart{Source: r.String(), Chart: chart, Version: str(cs, "version"), ValuesFiles: files}
		if hr := repo.Find("HelmRepository", r.Namespace, r.Name); hr != nil {
			remote.URL = str(hr.Spec(), "url")
		}
		return &FluxHelmPlan{Remote: remote, Source: r.String(), IgnoreMissingValuesFiles: ignoreMissing}, "", nil
	case "GitRepository", "ExternalArtifact":
		src, why := ResolveFluxSource(repo, r)
		if src == nil {
			return nil, why, nil
		}
		p, ok := src.RepoPath(chart)
		if !ok {
			return nil, "its chart " + chart + " is not in " + src.Describe, nil
		}
		plan := &FluxHelmPlan{Chart: p, Source: src.Describe, IgnoreMissingValuesFiles: ignoreMissing}
		for _, f := range files {
			vp, ok := src.RepoPath(f)
			if !ok {
				return nil, "", fmt.Errorf("%s.valuesFiles: %s is not in %s", field, f, src.Describe)
			}
			plan.ValuesFiles = append(plan.ValuesFiles, vp)
		}
		return plan, "", nil
	}
	_, why := ResolveFluxSource(repo, r)
	return nil, why, nil
}

// ociChart describes the chart of an OCIRepository: its URL, the last
// segment of which is the chart's name, and its ref.
func ociChart(repo FluxRepo, r FluxSourceRef) *FluxRemoteChart {
	c := &FluxRemoteChart{Source: r.String(), Chart: r.Name}
	if o := repo.Find("OCIRepository", r.Namespace, r.Name); o != nil {
		c.URL = str(o.Spec(), "url")
		c.Chart = path.Base(strings.TrimSuffix(c.URL, "/"))
		ref := sub(o.Spec(), "ref")
		c.Version = cmp.Or(str(ref, "digest"), str(ref, "tag"), str(ref, "semver"))
	}
	return c
}

// firstKeyLine is the line of the first key of the mapping m at path of
// obj, where its document starts (the line after the key for a block, the
// key's own for a flow mapping); def when no line is known.
func firstKeyLine(obj *Object, m map[string]any, def int, path ...any) int {
	first := 0
	for k := range m {
		if l := obj.line(append(append([]any{}, path...), k)...); l != obj.Line && (first == 0 || l < first) {
			first = l
		}
	}
	if first == 0 {
		return def
	}
	return first
}
