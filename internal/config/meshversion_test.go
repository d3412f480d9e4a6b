package config

import "testing"

func TestParseMeshVersion(t *testing.T) {
	cases := []struct {
		provider, in string
		want         string // MeshVersion.String(), "" for an error
	}{
		{ProviderIstio, "1.28", "1.28.0"},
		{ProviderIstio, "v1.30.3", "1.30.3"},
		{ProviderIstio, "edge-26.8", ""},
		{ProviderIstio, "2.14", ""},
		{ProviderLinkerd, "edge-26.8.3", "edge-26.8.3"},
		{ProviderLinkerd, "stable-2.14.10", "2.14.10"},
		{ProviderLinkerd, "2.18", "2.18.0"},
		{ProviderLinkerd, "1.8", ""},
		{ProviderConsul, "1.8", "1.8.0"},
		{ProviderConsul, "2.0.3", "2.0.3"},
		{ProviderKuma, "2.14", "2.14.0"},
		{ProviderKuma, "stable-2.14.1", ""},
		{"", "edge-26.8", "edge-26.8.0"},
		{ProviderIstio, "latest", ""},
		{ProviderIstio, "1.28.0-rc.1", ""},
	}
	for _, c := range cases {
		v, err := ParseMeshVersion(c.provider, c.in)
		got := v.String()
		if err != nil {
			got = ""
		}
		if got != c.want {
			t.Errorf("ParseMeshVersion(%q, %q) = %q (%v), want %q", c.provider, c.in, got, err, c.want)
		}
	}
	if v := (Mesh{Provider: ProviderKuma}).MeshVersion(); v.String() != "2.14.0" {
		t.Errorf("kuma's default version = %v, want 2.14.0", v)
	}
}
