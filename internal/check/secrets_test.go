package check

import (
	"reflect"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

func secretTestObj(kind, ns, name string, line int) *manifest.Object {
	return &manifest.Object{Kind: kind, Namespace: ns, Name: name, File: "charts/shop/templates/" + name + ".yaml", Line: line}
}

var (
	secretTestCart    = secretTestObj("Deployment", "shop", "cart", 10)
	secretTestSA      = secretTestObj("ServiceAccount", "shop", "cart", 3)
	secretTestIngress = secretTestObj("Ingress", "shop", "web", 5)
	secretTestGateway = secretTestObj("Gateway", "shop", "public", 7)
)

// secretTestProducer makes a producer; keys nil means unknown keys.
func secretTestProducer(ns, name, via string, keys ...string) manifest.Producer {
	return manifest.Producer{Namespace: ns, Name: name, Via: via, Keys: keys, KeysKnown: keys != nil}
}

// secretTestWant is an expected finding, with the fingerprint filled.
func secretTestWant(rule string, sev finding.Severity, obj *manifest.Object, container, subject, message string) finding.Finding {
	f := finding.Finding{
		Rule: rule, Severity: sev, Environment: "prod",
		Kind: obj.Kind, Namespace: obj.Namespace, Name: obj.Name, Container: container,
		Message: message, File: obj.File, Line: obj.Line, Subject: subject,
	}
	f.SetFingerprint()
	return f
}

func secretTestEnvRef(name, key string) manifest.Ref {
	return manifest.Ref{Object: secretTestCart, Container: "server", Namespace: "shop", Name: name, Key: key,
		Where: "env DB_PASSWORD", Path: []any{"spec", "template", "spec", "containers", 0, "env", 0}}
}

// secretTestItems are the references of a Secret volume "certs" of cart
// with one items[] entry per key, as manifest reads them.
func secretTestItems(name string, keys ...string) []manifest.Ref {
	var out []manifest.Ref
	for _, k := range keys {
		out = append(out, manifest.Ref{Object: secretTestCart, Namespace: "shop", Name: name, Key: k, Where: "volume certs",
			Path: []any{"spec", "template", "spec", "volumes", 0, "secret", "secretName"}})
	}
	return out
}

func TestSecretFindings(t *testing.T) {
	no := false
	dbSecret := secretTestProducer("shop", "cart-db", "Secret", "password", "user")
	tests := []struct {
		name      string
		producers []manifest.Producer
		creators  []manifest.Producer
		refs      []manifest.Ref
		secrets   config.Secrets
		want      []finding.Finding
	}{
		{
			name:      "success.env-secret-key-ref-secret",
			producers: []manifest.Producer{dbSecret},
			refs:      []manifest.Ref{secretTestEnvRef("cart-db", "password")},
		},
		{
			name: "failure.env-secret-key-ref-missing",
			refs: []manifest.Ref{secretTestEnvRef("cart-db", "password")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|password",
				"env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce")},
		},
		{
			name:      "success.env-from-sealed-secret",
			producers: []manifest.Producer{secretTestProducer("shop", "cart-env", "SealedSecret", "A")},
			refs:      []manifest.Ref{{Object: secretTestCart, Container: "server", Namespace: "shop", Name: "cart-env", Where: "envFrom"}},
		},
		{
			name: "failure.env-from-missing",
			refs: []manifest.Ref{{Object: secretTestCart, Container: "server", Namespace: "shop", Name: "cart-env", Where: "envFrom"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"envFrom|shop/cart-env|",
				"envFrom reads Secret shop/cart-env, which this environment does not produce")},
		},
		{
			name:      "success.volume-external-secret-target-name",
			producers: []manifest.Producer{secretTestProducer("shop", "certs", "ExternalSecret shop/certs-sync", "ca.pem")},
			refs:      []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "certs", Key: "ca.pem", Where: "volume certs"}},
		},
		{
			name: "failure.volume-missing",
			refs: []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "tls", Where: "volume certs"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "",
				"volume certs|shop/tls|",
				"volume certs mounts Secret shop/tls, which this environment does not produce")},
		},
		{
			name:      "failure.volume-item-key-missing-single-key",
			producers: []manifest.Producer{secretTestProducer("shop", "certs", "ExternalSecret shop/certs-sync", "ca.pem")},
			refs:      []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "certs", Key: "ca.crt", Where: "volume certs"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretKeyMissing, finding.SeverityError, secretTestCart, "",
				"volume certs|shop/certs|ca.crt",
				`volume certs mounts key "ca.crt" of Secret shop/certs, which has key ca.pem`)},
		},
		{
			name: "failure.volume-items-missing-secret-once",
			refs: secretTestItems("tls", "ca.crt", "tls.crt", "tls.key"),
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "",
				"volume certs|shop/tls|ca.crt",
				"volume certs mounts Secret shop/tls, which this environment does not produce")},
		},
		{
			name:      "failure.volume-items-keys-missing-once",
			producers: []manifest.Producer{secretTestProducer("shop", "tls", "Secret", "tls.crt")},
			refs:      secretTestItems("tls", "ca.crt", "tls.crt", "tls.key"),
			want: []finding.Finding{secretTestWant(finding.RuleSecretKeyMissing, finding.SeverityError, secretTestCart, "",
				"volume certs|shop/tls|ca.crt,tls.key",
				`volume certs mounts keys "ca.crt", "tls.key" of Secret shop/tls, which has key tls.crt`)},
		},
		{
			name:     "notice.created-at-run-time-by-job",
			creators: []manifest.Producer{secretTestProducer("shop", "tls", "Job shop/keygen")},
			refs:     []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "tls", Where: "volume certs"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityNotice, secretTestCart, "",
				"volume certs|shop/tls|",
				"volume certs mounts Secret shop/tls, which is created at run time by Job shop/keygen: its command line or env names the Secret and its ServiceAccount may create Secrets")},
		},
		{
			name:     "failure.run-time-creator-in-another-namespace",
			creators: []manifest.Producer{secretTestProducer("auth", "tls", "Job auth/keygen")},
			refs:     []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "tls", Where: "volume certs"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "",
				"volume certs|shop/tls|",
				"volume certs mounts Secret shop/tls, which this environment does not produce")},
		},
		{
			name:      "success.projected-certificate",
			producers: []manifest.Producer{secretTestProducer("shop", "cart-tls", "Certificate shop/cart", "ca.crt", "tls.crt", "tls.key")},
			refs:      []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "cart-tls", Key: "tls.crt", Where: "projected volume bundle"}},
		},
		{
			name:      "failure.projected-certificate-key-missing",
			producers: []manifest.Producer{secretTestProducer("shop", "cart-tls", "Certificate shop/cart", "ca.crt", "tls.crt", "tls.key")},
			refs:      []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "cart-tls", Key: "cert.pem", Where: "projected volume bundle"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretKeyMissing, finding.SeverityError, secretTestCart, "",
				"projected volume bundle|shop/cart-tls|cert.pem",
				`projected volume bundle mounts key "cert.pem" of Secret shop/cart-tls, which has keys ca.crt, tls.crt, tls.key`)},
		},
		{
			name:      "success.image-pull-secrets-vault-static-secret",
			producers: []manifest.Producer{secretTestProducer("shop", "regcred", "VaultStaticSecret shop/regcred")},
			refs:      []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "regcred", Where: "imagePullSecrets"}},
		},
		{
			name: "failure.image-pull-secrets-missing",
			refs: []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "regcred", Where: "imagePullSecrets"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "",
				"imagePullSecrets|shop/regcred|",
				"imagePullSecrets names Secret shop/regcred, which this environment does not produce")},
		},
		{
			name: "failure.service-account-image-pull-secrets-missing",
			refs: []manifest.Ref{{Object: secretTestSA, Namespace: "shop", Name: "regcred", Where: "ServiceAccount imagePullSecrets"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestSA, "",
				"ServiceAccount imagePullSecrets|shop/regcred|",
				"ServiceAccount imagePullSecrets names Secret shop/regcred, which this environment does not produce")},
		},
		{
			name:      "success.service-account-secrets-vault-dynamic-secret",
			producers: []manifest.Producer{secretTestProducer("shop", "cart-token", "VaultDynamicSecret shop/cart-token")},
			refs:      []manifest.Ref{{Object: secretTestSA, Namespace: "shop", Name: "cart-token", Where: "ServiceAccount secrets"}},
		},
		{
			name:      "success.ingress-tls-cert-manager",
			producers: []manifest.Producer{secretTestProducer("shop", "web-tls", "Ingress shop/web (cert-manager)", "ca.crt", "tls.crt", "tls.key")},
			refs:      []manifest.Ref{{Object: secretTestIngress, Namespace: "shop", Name: "web-tls", Where: "Ingress tls"}},
		},
		{
			name: "failure.ingress-tls-missing",
			refs: []manifest.Ref{{Object: secretTestIngress, Namespace: "shop", Name: "web-tls", Where: "Ingress tls"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestIngress, "",
				"Ingress tls|shop/web-tls|",
				"Ingress tls names Secret shop/web-tls, which this environment does not produce")},
		},
		{
			name:      "success.gateway-api-listener",
			producers: []manifest.Producer{secretTestProducer("shop", "public-tls", "Secret", "tls.crt", "tls.key")},
			refs:      []manifest.Ref{{Object: secretTestGateway, Namespace: "shop", Name: "public-tls", Where: "Gateway listener https"}},
		},
		{
			name:      "failure.gateway-api-listener-cross-namespace",
			producers: []manifest.Producer{secretTestProducer("shop", "public-tls", "Secret", "tls.crt", "tls.key")},
			refs:      []manifest.Ref{{Object: secretTestGateway, Namespace: "certs", Name: "public-tls", Where: "Gateway listener https"}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestGateway, "",
				"Gateway listener https|certs/public-tls|",
				"Gateway listener https names Secret certs/public-tls, which this environment does not produce (a Secret of that name is produced in namespace shop)")},
		},
		{
			name:      "success.istio-gateway-workload-namespace",
			producers: []manifest.Producer{secretTestProducer("istio-ingress", "public-cert", "Secret", "cert", "key")},
			refs: []manifest.Ref{{Object: secretTestGateway, Namespace: "istio-ingress", Name: "public-cert",
				Where: "Gateway server 443 credentialName", GatewaySelector: map[string]string{"istio": "ingressgateway"}}},
		},
		{
			name:      "success.istio-gateway-any-namespace",
			producers: []manifest.Producer{secretTestProducer("istio-system", "public-cert", "Secret", "cert", "key")},
			refs: []manifest.Ref{{Object: secretTestGateway, Namespace: "shop", Name: "public-cert",
				Where: "Gateway server 443 credentialName", AnyNamespace: true}},
		},
		{
			name:      "failure.istio-gateway-any-namespace-missing",
			producers: []manifest.Producer{secretTestProducer("istio-system", "public-crt", "Secret", "cert", "key")},
			refs: []manifest.Ref{{Object: secretTestGateway, Namespace: "shop", Name: "public-cert",
				Where: "Gateway server 443 credentialName", AnyNamespace: true}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestGateway, "",
				"Gateway server 443 credentialName|*/public-cert|",
				`Gateway server 443 credentialName names Secret public-cert, which this environment does not produce in any namespace (did you mean "public-crt"?)`)},
		},
		{
			name:    "success.istio-gateway-any-namespace-external-namespaced-glob",
			secrets: config.Secrets{External: []string{"istio-system/public-*"}},
			refs: []manifest.Ref{{Object: secretTestGateway, Namespace: "shop", Name: "public-cert",
				Where: "Gateway server 443 credentialName", AnyNamespace: true}},
		},
		{
			name: "failure.user-volume-annotation-missing",
			refs: []manifest.Ref{{Object: secretTestCart, Namespace: "shop", Name: "extra-certs",
				Where: "annotation sidecar.istio.io/userVolume", Path: []any{"spec", "template", "metadata", "annotations", "sidecar.istio.io/userVolume"}}},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "",
				"annotation sidecar.istio.io/userVolume|shop/extra-certs|",
				"annotation sidecar.istio.io/userVolume mounts Secret shop/extra-certs, which this environment does not produce")},
		},
		{
			name: "failure.other-namespaces-hint",
			producers: []manifest.Producer{
				secretTestProducer("shop-staging", "cart-db", "Secret", "password"),
				secretTestProducer("billing", "cart-db", "Secret", "password"),
			},
			refs: []manifest.Ref{secretTestEnvRef("cart-db", "password")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|password",
				"env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce (a Secret of that name is produced in namespaces billing, shop-staging)")},
		},
		{
			name:      "failure.did-you-mean-kustomize-hash-suffix",
			producers: []manifest.Producer{secretTestProducer("shop", "cart-db-5g2h6k8m9t", "Secret", "password")},
			refs:      []manifest.Ref{secretTestEnvRef("cart-db", "password")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|password",
				`env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce (did you mean "cart-db-5g2h6k8m9t"?)`)},
		},
		{
			name:      "failure.did-you-mean-stale-hash-suffix",
			producers: []manifest.Producer{secretTestProducer("shop", "cart-db-5g2h6k8m9t", "Secret", "password")},
			refs:      []manifest.Ref{secretTestEnvRef("cart-db-b7d4f69c2k", "password")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db-b7d4f69c2k|password",
				`env DB_PASSWORD reads Secret shop/cart-db-b7d4f69c2k, which this environment does not produce (did you mean "cart-db-5g2h6k8m9t"?)`)},
		},
		{
			name: "failure.did-you-mean-edit-distance-same-namespace-only",
			producers: []manifest.Producer{
				secretTestProducer("shop", "card-db", "Secret", "password"),
				secretTestProducer("billing", "cart-db", "Secret", "password"),
			},
			refs: []manifest.Ref{secretTestEnvRef("cart-db", "password")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|password",
				`env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce (a Secret of that name is produced in namespace billing; did you mean "card-db"?)`)},
		},
		{
			name:      "failure.did-you-mean-prefix",
			producers: []manifest.Producer{secretTestProducer("shop", "cart-db-credentials", "Secret", "password")},
			refs:      []manifest.Ref{secretTestEnvRef("cart-db", "password")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|password",
				`env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce (did you mean "cart-db-credentials"?)`)},
		},
		{
			name:      "failure.no-suggestion-for-distant-name",
			producers: []manifest.Producer{secretTestProducer("shop", "payments", "Secret", "password")},
			refs:      []manifest.Ref{secretTestEnvRef("cart-db", "password")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|password",
				"env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce")},
		},
		{
			name:    "success.external-plain-glob",
			secrets: config.Secrets{External: []string{"vault-*", "regcred"}},
			refs: []manifest.Ref{
				secretTestEnvRef("vault-cart-db", "password"),
				{Object: secretTestCart, Namespace: "shop", Name: "regcred", Where: "imagePullSecrets"},
			},
		},
		{
			name:    "success.external-namespaced-glob",
			secrets: config.Secrets{External: []string{"shop/cart-d?"}},
			refs:    []manifest.Ref{secretTestEnvRef("cart-db", "password")},
		},
		{
			name:    "failure.external-namespaced-glob-other-namespace",
			secrets: config.Secrets{External: []string{"billing/cart-db"}},
			refs:    []manifest.Ref{secretTestEnvRef("cart-db", "password")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|password",
				"env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce")},
		},
		{
			name: "notice.optional-missing",
			refs: []manifest.Ref{func() manifest.Ref { r := secretTestEnvRef("cart-db", "password"); r.Optional = true; return r }()},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityNotice, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|password",
				"env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce")},
		},
		{
			name:      "notice.optional-key-missing",
			producers: []manifest.Producer{dbSecret},
			refs:      []manifest.Ref{func() manifest.Ref { r := secretTestEnvRef("cart-db", "passwd"); r.Optional = true; return r }()},
			want: []finding.Finding{secretTestWant(finding.RuleSecretKeyMissing, finding.SeverityNotice, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|passwd",
				`env DB_PASSWORD reads key "passwd" of Secret shop/cart-db, which has keys password, user`)},
		},
		{
			name:      "failure.key-missing",
			producers: []manifest.Producer{dbSecret},
			refs:      []manifest.Ref{secretTestEnvRef("cart-db", "passwd")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretKeyMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|passwd",
				`env DB_PASSWORD reads key "passwd" of Secret shop/cart-db, which has keys password, user`)},
		},
		{
			name:      "failure.key-missing-empty-secret",
			producers: []manifest.Producer{{Namespace: "shop", Name: "cart-db", Via: "Secret", KeysKnown: true}},
			refs:      []manifest.Ref{secretTestEnvRef("cart-db", "passwd")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretKeyMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|passwd",
				`env DB_PASSWORD reads key "passwd" of Secret shop/cart-db, which has no keys`)},
		},
		{
			name: "success.key-in-union-of-producers",
			producers: []manifest.Producer{
				dbSecret,
				secretTestProducer("shop", "cart-db", "ExternalSecret shop/cart-db", "passwd"),
			},
			refs: []manifest.Ref{secretTestEnvRef("cart-db", "passwd")},
		},
		{
			name: "success.keys-unknown-external-secret-data-from",
			producers: []manifest.Producer{
				dbSecret,
				secretTestProducer("shop", "cart-db", "ExternalSecret shop/cart-db"),
			},
			refs: []manifest.Ref{secretTestEnvRef("cart-db", "passwd")},
		},
		{
			name:      "success.check-keys-false",
			producers: []manifest.Producer{dbSecret},
			secrets:   config.Secrets{CheckKeys: &no},
			refs:      []manifest.Ref{secretTestEnvRef("cart-db", "passwd")},
		},
		{
			name:      "success.key-of-produced-external-secret-unknown",
			producers: []manifest.Producer{dbSecret},
			secrets:   config.Secrets{External: []string{"cart-*"}},
			refs:      []manifest.Ref{secretTestEnvRef("cart-db", "passwd")},
		},
		{
			name: "failure.duplicate-references-reported-once",
			refs: []manifest.Ref{secretTestEnvRef("cart-db", "password"), secretTestEnvRef("cart-db", "password")},
			want: []finding.Finding{secretTestWant(finding.RuleSecretMissing, finding.SeverityError, secretTestCart, "server",
				"env DB_PASSWORD|shop/cart-db|password",
				"env DB_PASSWORD reads Secret shop/cart-db, which this environment does not produce")},
		},
		{
			name: "success.reference-without-object-skipped",
			refs: []manifest.Ref{{Namespace: "shop", Name: "cart-db", Where: "envFrom"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{
				Config: &config.Config{Secrets: tt.secrets},
				Env:    config.Environment{Name: "prod"},
				Set:    &manifest.Set{Producers: tt.producers, Creators: tt.creators, Refs: tt.refs},
			}
			got := secretFindings(in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("secretFindings:\n got  %+v\n want %+v", got, tt.want)
			}
		})
	}
}

func TestSecretFindingsFingerprintsDistinct(t *testing.T) {
	volume := manifest.Ref{Object: secretTestCart, Namespace: "shop", Name: "cart-db", Where: "volume db"}
	in := Input{
		Config: &config.Config{},
		Env:    config.Environment{Name: "prod"},
		Set:    &manifest.Set{Refs: []manifest.Ref{secretTestEnvRef("cart-db", "password"), secretTestEnvRef("cart-db", "user"), volume}},
	}
	got := secretFindings(in)
	if len(got) != 3 {
		t.Fatalf("got %d findings, want 3: %+v", len(got), got)
	}
	seen := map[string]bool{}
	for _, f := range got {
		if seen[f.Fingerprint] {
			t.Errorf("duplicate fingerprint %s for %q", f.Fingerprint, f.Message)
		}
		seen[f.Fingerprint] = true
	}
}

func TestSecretStem(t *testing.T) {
	for name, want := range map[string]string{
		"cart-db-5g2h6k8m9t": "cart-db",
		"cart-postgresql":    "cart-postgresql", // ten letters, but not the hash alphabet
		"cart-db":            "cart-db",
		"-5g2h6k8m9t":        "-5g2h6k8m9t",
	} {
		if got := secretStem(name); got != want {
			t.Errorf("secretStem(%q) = %q, want %q", name, got, want)
		}
	}
}
