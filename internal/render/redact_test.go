package render

import "testing"

func TestRedactSecret(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"secret", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: c2VjcmV0\nstringData:\n  b: plain\n",
			"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: REDACTED\nstringData:\n  b: REDACTED\n"},
		{"not a secret", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n"},
		{"mentions Secret but is not one", "kind: SealedSecret\nspec:\n  encryptedData:\n    a: x\n", "kind: SealedSecret\nspec:\n  encryptedData:\n    a: x\n"},
		{"unparsable", "kind: Secret\ndata: [\n", "# (document withheld: it does not parse as YAML)\n"},
		{"secrets in a list", "kind: List\nitems:\n  - kind: Secret\n    data:\n      a: c2VjcmV0\n  - kind: ConfigMap\n    data:\n      b: c\n",
			"kind: List\nitems:\n  - kind: Secret\n    data:\n      a: REDACTED\n  - kind: ConfigMap\n    data:\n      b: c\n"},
		{"data not a map", "kind: Secret\nstringData: hunter2\n", "kind: Secret\nstringData: REDACTED\n"},
		// Issue 11 item 13: the shape stays, only values are replaced.
		{"null stringData stays null", "kind: Secret\ndata:\n  a: c2VjcmV0\nstringData:\n", "kind: Secret\ndata:\n  a: REDACTED\nstringData:\n"},
		{"null and empty values stay", "kind: Secret\ndata: {}\nstringData:\n  a: ~\n  b: \"x\"\n", "kind: Secret\ndata: {}\nstringData:\n  a: ~\n  b: \"REDACTED\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(RedactSecretValues([]byte(tt.in))); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
