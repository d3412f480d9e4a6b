package config

import (
	"fmt"
	"regexp"
	"strconv"
)

// MeshVersion is a mesh release as meshgate compares them: MAJOR.MINOR.PATCH,
// or for a linkerd edge release YY.M.P with Edge set.
type MeshVersion struct {
	Edge                bool
	Major, Minor, Patch int
}

// DefaultVersions are the current release of each mesh, whose injector
// meshgate models when mesh.version is unset (docs/mesh-providers.md names
// the upstream tags read).
var DefaultVersions = map[string]string{
	ProviderIstio:        "1.30",
	ProviderIstioAmbient: "1.30",
	ProviderLinkerd:      "edge-26.8",
	ProviderConsul:       "2.0",
	ProviderKuma:         "2.14",
}

var (
	// meshVersionShape is every form of mesh.version, whatever the
	// provider; the JSON Schema has the same pattern.
	meshVersionShape = regexp.MustCompile(`^(v?[0-9]+\.[0-9]+(\.[0-9]+)?|stable-[0-9]+\.[0-9]+\.[0-9]+|edge-[0-9]+\.[0-9]+(\.[0-9]+)?)$`)
	meshVersionParts = regexp.MustCompile(`^(stable-|edge-|v)?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?$`)
)

// meshVersionExamples say per provider what a version looks like, and
// which major versions it has.
var meshVersionExamples = map[string]struct {
	example string
	majors  []int
	edge    bool
}{
	ProviderIstio:        {`"1.28"`, []int{1}, false},
	ProviderIstioAmbient: {`"1.28"`, []int{1}, false},
	ProviderLinkerd:      {`"edge-26.8" or "2.18"`, []int{2}, true},
	ProviderConsul:       {`"1.8" (the consul-k8s release)`, []int{1, 2}, false},
	ProviderKuma:         {`"2.14"`, []int{2}, false},
}

// ParseMeshVersion parses mesh.version for provider ("" or "none" accept
// any shape).
func ParseMeshVersion(provider, s string) (MeshVersion, error) {
	m := meshVersionParts.FindStringSubmatch(s)
	if m == nil || !meshVersionShape.MatchString(s) {
		return MeshVersion{}, fmt.Errorf("invalid mesh version %q: use MAJOR.MINOR, e.g. \"1.28\", or a linkerd edge release, e.g. \"edge-26.8\"", s)
	}
	var v MeshVersion
	v.Major, _ = strconv.Atoi(m[2])
	v.Minor, _ = strconv.Atoi(m[3])
	if m[4] != "" {
		v.Patch, _ = strconv.Atoi(m[4])
	}
	v.Edge = m[1] == "edge-"
	ex, known := meshVersionExamples[provider]
	if !known {
		return v, nil
	}
	majorOK := false
	for _, mj := range ex.majors {
		majorOK = majorOK || mj == v.Major
	}
	if v.Edge && !ex.edge || !v.Edge && !majorOK || m[1] == "stable-" && provider != ProviderLinkerd {
		return MeshVersion{}, fmt.Errorf("invalid %s version %q: use e.g. %s", provider, s, ex.example)
	}
	return v, nil
}

// Compare orders two versions of the same kind: -1, 0 or 1.
func (v MeshVersion) Compare(o MeshVersion) int {
	for _, d := range [][2]int{{v.Major, o.Major}, {v.Minor, o.Minor}, {v.Patch, o.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// AtLeast reports whether v is major.minor.patch or later.
func (v MeshVersion) AtLeast(major, minor, patch int) bool {
	return v.Compare(MeshVersion{Major: major, Minor: minor, Patch: patch}) >= 0
}

// String spells the version as it was parsed (edge- for edge releases).
func (v MeshVersion) String() string {
	prefix := ""
	if v.Edge {
		prefix = "edge-"
	}
	return fmt.Sprintf("%s%d.%d.%d", prefix, v.Major, v.Minor, v.Patch)
}

// MeshVersion is the configured mesh version in force: mesh.version, else
// the provider's current release.
func (m Mesh) MeshVersion() MeshVersion {
	s := m.Version
	if s == "" {
		s = DefaultVersions[m.Provider]
	}
	v, err := ParseMeshVersion(m.Provider, s)
	if err != nil {
		v, _ = ParseMeshVersion(m.Provider, DefaultVersions[m.Provider])
	}
	return v
}
