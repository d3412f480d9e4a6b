package config

import "testing"

func TestGlob(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "cart", true},
		{"*", "", true},
		{"*", "shop/cart", false}, // '*' never crosses a '/'
		{"vault-*", "vault-db", true},
		{"vault-*", "db-vault", false},
		{"pay*", "payments", true},
		{"Job/*/db-migrate", "Job/shop/db-migrate", true},
		{"Job/*/db-migrate", "Job//db-migrate", true}, // a cluster-scoped name has an empty namespace
		{"Job/*/db-migrate", "CronJob/shop/db-migrate", false},
		{"*/*/*", "Deployment/shop/cart", true},
		{"kube-system/*", "kube-system/regcred", true},
		{"ca?t", "cart", true},
		{"ca?t", "ca/t", false},
		{"[a-c]art", "cart", true},
		{"[a-c]art", "dart", false},
		{`\*`, "*", true},
		{"vault-[", "vault-[", false}, // malformed: matches nothing
		{"Deployment", "deployment", false},
	}
	for _, tc := range cases {
		if got := Glob(tc.pattern, tc.s); got != tc.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
