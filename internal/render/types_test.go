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
		{name: "path segments left", msg: "apps/katib/upstream/katib.yaml: error in /katib and katib/", secrets: []string{"katib"}, want: "apps/katib/upstream/katib.yaml: error in /katib and katib/"},
		{name: "keys left", msg: `label katib.kubeflow.org/experiment="katib", selector katib=true, db.katib`, secrets: []string{"katib"}, want: `label katib.kubeflow.org/experiment="[redacted]", selector katib=true, db.katib`},
		{name: "value at the end of a sentence", msg: "password is hunter22. Retry with hunter22", secrets: []string{"hunter22"}, want: "password is [redacted]. Retry with [redacted]"},
		{name: "url user and password", msg: "mysql://katib:hunter22@db/katib", secrets: []string{"katib", "hunter22"}, want: "mysql://[redacted]:[redacted]@db/katib"},
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
