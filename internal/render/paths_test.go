package render

import "testing"

func TestMessagePaths(t *testing.T) {
	p := NewPaths("/srv/repo")
	tests := []struct{ in, want string }{
		{"open /srv/repo/envs/a.yaml: no such file", "open envs/a.yaml: no such file"},
		{"in /srv/repo: bad", "in .: bad"},
		{"/srv/repo2/x and /tmp/srv/repo/y stay", "/srv/repo2/x and /tmp/srv/repo/y stay"},
	}
	for _, tt := range tests {
		if got := p.Message(tt.in); got != tt.want {
			t.Errorf("Message(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
