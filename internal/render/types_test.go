package render

import "testing"

func TestRedacted(t *testing.T) {
	tests := []struct {
		name    string
		msg     string
		secrets []string
		want    string
	}{
		{name: "quoted", msg: `cannot log in with password "hunter22"`, secrets: []string{"hunter22"}, want: `cannot log in with password "[redacted]"`},
		{name: "every occurrence", msg: "a hunter22 b hunter22", secrets: []string{"hunter22"}, want: "a [redacted] b [redacted]"},
		{name: "inside a longer name left", msg: "Secret shop/postgres-creds, Deployment postgres", secrets: []string{"postgres"}, want: "Secret shop/postgres-creds, Deployment [redacted]"},
		{name: "longest first", msg: "token=abcd1234 and abcd", secrets: []string{"abcd", "token=abcd1234"}, want: "[redacted] and [redacted]"},
		{name: "too short to remove", msg: "pin 123 in /a", secrets: []string{"123", "/a"}, want: "pin 123 in /a"},
		{name: "punctuation around", msg: "url=postgres://app:s3cr3t!@db", secrets: []string{"s3cr3t!"}, want: "url=postgres://app:[redacted]@db"},
		{name: "none", msg: "nothing here", secrets: nil, want: "nothing here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redacted(tt.msg, tt.secrets); got != tt.want {
				t.Errorf("Redacted = %q, want %q", got, tt.want)
			}
		})
	}
}
