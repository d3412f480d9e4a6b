package render

import "testing"

func TestMessagePaths(t *testing.T) {
	p := NewPaths("/work/repo")
	tests := []struct{ in, want string }{
		{"open /work/repo/envs/a.yaml: no such file", "open envs/a.yaml: no such file"},
		{"in /work/repo: bad", "in .: bad"},
		{"/work/repo2/x and /tmp/work/repo/y stay", "/work/repo2/x and /tmp/work/repo/y stay"},
	}
	for _, tt := range tests {
		if got := p.Message(tt.in); got != tt.want {
			t.Errorf("Message(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
