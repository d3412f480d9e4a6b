package report

import (
	"fmt"
	"strings"
)

// Coverage is an environment's mesh coverage: how many of its workloads
// get the mesh dataplane, and what mesh settings each meshed one carries,
// so that a later run can compare with this report as its base
// (--baseline). An addition to the SPEC shape.
type Coverage struct {
	Meshed    int `json:"meshed"`
	Workloads int `json:"workloads"`
	// Unmeshed are the workloads without the dataplane (Kind/namespace/name).
	Unmeshed []string `json:"unmeshed,omitempty"`
	// Settings maps each meshed workload to its mesh settings and their
	// values ("" where the value is not kept).
	Settings map[string]map[string]string `json:"settings,omitempty"`
	// Base is the change since the base, when one is known.
	Base *CoverageChange `json:"base,omitempty"`
}

// CoverageChange is the coverage of the base and the workloads that lost
// the dataplane since.
type CoverageChange struct {
	Meshed    int      `json:"meshed"`
	Workloads int      `json:"workloads"`
	Lost      []string `json:"lost,omitempty"`
}

// coverageShort is "41/42 meshed", "" without coverage.
func coverageShort(c *Coverage) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%d/%d meshed", c.Meshed, c.Workloads)
}

// coverageChange is the change since the base: "−1 since base: Deployment
// shop/checkout lost the mesh dataplane", "" without a base or change.
func coverageChange(c *Coverage) string {
	if c == nil || c.Base == nil {
		return ""
	}
	d := c.Meshed - c.Base.Meshed
	var s string
	switch {
	case d == 0 && len(c.Base.Lost) == 0:
		return ""
	case d < 0:
		s = fmt.Sprintf("−%d since base", -d)
	case d > 0:
		s = fmt.Sprintf("+%d since base", d)
	default:
		s = "±0 since base"
	}
	if len(c.Base.Lost) > 0 {
		var lost []string
		for _, id := range c.Base.Lost {
			lost = append(lost, idObject(id))
		}
		s += ": " + strings.Join(lost, ", ") + " lost the mesh dataplane"
	}
	return s
}

// idObject is "Kind namespace/name" for a workload id.
func idObject(id string) string {
	kind, rest, _ := strings.Cut(id, "/")
	return kind + " " + rest
}

// mdCoverageChanges says, under the matrix, which workloads lost the mesh
// dataplane since the base.
func mdCoverageChanges(d *mdDoc, r Report) {
	for _, e := range r.Environments {
		if ch := coverageChange(e.Mesh); ch != "" {
			d.add(fmt.Sprintf("\n**%s** %s, %s\n", mdText(e.Name), coverageShort(e.Mesh), mdText(ch)))
		}
	}
}

// sarifRunProps is the SARIF run's property bag.
type sarifRunProps struct {
	MeshCoverage []sarifCoverageEntry `json:"meshCoverage"`
}

type sarifCoverageEntry struct {
	Environment string `json:"environment"`
	Meshed      int    `json:"meshed"`
	Workloads   int    `json:"workloads"`
	// Change is the change since the base, "" without one.
	Change string `json:"change,omitempty"`
}

// sarifCoverage is the coverage of every environment that has one, nil
// when none has.
func sarifCoverage(r Report) *sarifRunProps {
	var out []sarifCoverageEntry
	for _, e := range r.Environments {
		if e.Mesh != nil {
			out = append(out, sarifCoverageEntry{Environment: e.Name, Meshed: e.Mesh.Meshed, Workloads: e.Mesh.Workloads, Change: coverageChange(e.Mesh)})
		}
	}
	if out == nil {
		return nil
	}
	return &sarifRunProps{MeshCoverage: out}
}
