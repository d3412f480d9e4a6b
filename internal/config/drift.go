package config

import (
	"cmp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Drift tunes the mesh-drift rule (config `drift:`): which axes compare
// workloads, how many peers must carry a setting, and what counts as a
// setting beyond the defaults. The methods give the values in force.
type Drift struct {
	// Siblings, Environments and Commits turn the axes on and off; nil
	// means on.
	Siblings     *bool `yaml:"siblings,omitempty" json:"siblings,omitempty"`
	Environments *bool `yaml:"environments,omitempty" json:"environments,omitempty"`
	Commits      *bool `yaml:"commits,omitempty" json:"commits,omitempty"`
	// Quorum is the share of a group that must carry a setting (0 means
	// the default).
	Quorum float64 `yaml:"quorum,omitempty" json:"quorum,omitempty"`
	// MinGroup is how many siblings at least must carry it (0: default).
	MinGroup int `yaml:"minGroup,omitempty" json:"minGroup,omitempty"`
	// Prefixes are annotation and label prefixes that count as mesh
	// settings, beyond the mesh's own.
	Prefixes []string `yaml:"prefixes,omitempty" json:"prefixes,omitempty"`
	// Env are globs of env var names that count as mesh settings, beyond
	// ISTIO_*, LINKERD*, OTEL_* and *_REQUEST_ID.
	Env []string `yaml:"env,omitempty" json:"env,omitempty"`
	// Ignore are globs of settings never compared: an annotation or label
	// key, KEY:PATH for a key inside a structured annotation, an env name,
	// or "meshed". '*' also matches '/'.
	Ignore []string `yaml:"ignore,omitempty" json:"ignore,omitempty"`
}

// Defaults of the drift: block.
const (
	DefaultDriftQuorum   = 0.75
	DefaultDriftMinGroup = 3
)

// SiblingsOn, EnvironmentsOn and CommitsOn report whether an axis is on.
func (d Drift) SiblingsOn() bool     { return d.Siblings == nil || *d.Siblings }
func (d Drift) EnvironmentsOn() bool { return d.Environments == nil || *d.Environments }
func (d Drift) CommitsOn() bool      { return d.Commits == nil || *d.Commits }

// QuorumValue is the quorum in force.
func (d Drift) QuorumValue() float64 { return cmp.Or(d.Quorum, DefaultDriftQuorum) }

// MinGroupValue is the minimum number of carriers in force.
func (d Drift) MinGroupValue() int { return cmp.Or(d.MinGroup, DefaultDriftMinGroup) }

// Ignored reports whether a setting (see Ignore) is never compared.
func (d Drift) Ignored(setting string) bool {
	s := strings.ReplaceAll(setting, "/", "\x00")
	for _, g := range d.Ignore {
		if Glob(strings.ReplaceAll(g, "/", "\x00"), s) {
			return true
		}
	}
	return false
}

func (d *decoder) drift(n *yaml.Node, field string) Drift {
	var dr Drift
	for _, p := range d.fields(n, field, "siblings", "environments", "commits", "quorum", "minGroup", "prefixes", "env", "ignore") {
		f := join(field, p.name)
		v := resolve(p.val)
		switch p.name {
		case "siblings":
			dr.Siblings = d.optBool(v, f)
		case "environments":
			dr.Environments = d.optBool(v, f)
		case "commits":
			dr.Commits = d.optBool(v, f)
		case "quorum":
			dr.Quorum, _ = d.share(v, f)
		case "minGroup":
			dr.MinGroup, _ = d.positiveInt(v, f)
		case "prefixes":
			dr.Prefixes = d.stringList(v, f, nil)
		case "env", "ignore":
			list := d.stringList(v, f, d.glob)
			if p.name == "env" {
				dr.Env = list
			} else {
				dr.Ignore = list
			}
		}
	}
	return dr
}

// optBool decodes a boolean; nil when it is not one.
func (d *decoder) optBool(n *yaml.Node, field string) *bool {
	if b, ok := d.boolean(n, field); ok {
		return &b
	}
	return nil
}

// share decodes a number above 0 and at most 1.
func (d *decoder) share(n *yaml.Node, field string) (float64, bool) {
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!float" && n.ShortTag() != "!!int") {
		d.typeErr(n, field, "a number")
		return 0, false
	}
	q, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || q <= 0 || q > 1 {
		d.add(n, field, "invalid share %s: use a number above 0 and at most 1, e.g. 0.75", n.Value)
		return 0, false
	}
	return q, true
}
