package manifest

import (
	"fmt"
	"strings"
	"testing"
)

func TestProducers(t *testing.T) {
	tests := []struct {
		fixture string
		want    []producerView
	}{
		{"secret-data-and-string-data.yaml", []producerView{
			{Namespace: "shop", Name: "cart-db", Keys: "password,url,user", KeysKnown: true, Via: "Secret", Object: "Secret/shop/cart-db"},
			{Namespace: "other", Name: "empty", KeysKnown: true, Via: "Secret", Object: "Secret/other/empty"},
		}},
		{"sealedsecret-template-name.yaml", []producerView{
			{Namespace: "vault", Name: "unsealed", Keys: "api-key,config.json,token", KeysKnown: true, Via: "SealedSecret", Object: "SealedSecret/shop/sealed"},
			{Namespace: "shop", Name: "plain", Keys: "password", KeysKnown: true, Via: "SealedSecret", Object: "SealedSecret/shop/plain"},
		}},
		{"externalsecret-target-name.yaml", []producerView{
			{Namespace: "shop", Name: "cart-db", Keys: "password,user", KeysKnown: true, Via: "ExternalSecret shop/db-sync", Object: "ExternalSecret/shop/db-sync"},
			{Namespace: "shop", Name: "own-name", Keys: "token", KeysKnown: true, Via: "ExternalSecret shop/own-name", Object: "ExternalSecret/shop/own-name"},
		}},
		{"externalsecret-datafrom-keys-unknown.yaml", []producerView{
			{Namespace: "shop", Name: "everything", Keys: "extra", Via: "ExternalSecret shop/everything", Object: "ExternalSecret/shop/everything"},
			{Namespace: "shop", Name: "app-config", Keys: "config.yaml,password", KeysKnown: true, Via: "ExternalSecret shop/templated", Object: "ExternalSecret/shop/templated"},
			{Namespace: "shop", Name: "template-from", Via: "ExternalSecret shop/template-from", Object: "ExternalSecret/shop/template-from"},
		}},
		{"externalsecret-merge-and-none-produce-nothing.yaml", nil},
		{"certificate-secret-name.yaml", []producerView{
			{Namespace: "shop", Name: "shop-tls", Keys: "ca.crt,tls.crt,tls.key", KeysKnown: true, Via: "Certificate shop/shop", Object: "Certificate/shop/shop"},
			{Namespace: "shop", Name: "java-tls", Keys: "ca.crt,key.der,keystore.jks,tls-combined.pem,tls.crt,tls.key,truststore.jks", KeysKnown: true, Via: "Certificate shop/keystores", Object: "Certificate/shop/keystores"},
		}},
		{"vault-secrets-operator-destination.yaml", []producerView{
			{Namespace: "shop", Name: "vault-db", Via: "VaultStaticSecret shop/static", Object: "VaultStaticSecret/shop/static"},
			{Namespace: "shop", Name: "vault-dyn", Via: "VaultDynamicSecret shop/dynamic", Object: "VaultDynamicSecret/shop/dynamic"},
			{Namespace: "shop", Name: "vault-pki", Via: "VaultPKISecret shop/pki", Object: "VaultPKISecret/shop/pki"},
		}},
		{"ingress-cert-manager-annotation.yaml", []producerView{
			{Namespace: "shop", Name: "web-tls", Keys: "ca.crt,tls.crt,tls.key", KeysKnown: true, Via: "Ingress shop/web (cert-manager)", Object: "Ingress/shop/web"},
			{Namespace: "shop", Name: "www-tls", Keys: "ca.crt,tls.crt,tls.key", KeysKnown: true, Via: "Ingress shop/web (cert-manager)", Object: "Ingress/shop/web"},
			{Namespace: "shop", Name: "local-tls", Keys: "ca.crt,tls.crt,tls.key", KeysKnown: true, Via: "Ingress shop/issuer (cert-manager)", Object: "Ingress/shop/issuer"},
		}},
		{"gateway-cert-manager-annotation.yaml", []producerView{
			{Namespace: "shop", Name: "public-tls", Keys: "ca.crt,tls.crt,tls.key", KeysKnown: true, Via: "Gateway shop/public (cert-manager)", Object: "Gateway/shop/public"},
		}},
		{"openshift-serving-cert-and-crossplane.yaml", []producerView{
			{Namespace: "shop", Name: "api-serving-cert", Keys: "tls.crt,tls.key", KeysKnown: true, Via: "Service shop/api (OpenShift serving certificate)", Object: "Service/shop/api"},
			{Namespace: "shop", Name: "cart-db-conn", Via: "PostgreSQLInstance/shop/cart-db (Crossplane connection secret)", Object: "PostgreSQLInstance/shop/cart-db"},
		}},
		{"generators.yaml", []producerView{
			{Namespace: "web", Name: "admission-tls", Keys: "ca,tls.crt,tls.key", KeysKnown: true, Via: "Job web/admission-create (kube-webhook-certgen)", Object: "Job/web/admission-create"},
			{Namespace: "argocd", Name: "argocd-redis", Keys: "auth", KeysKnown: true, Via: "Job argocd/redis-secret-init (argocd admin redis-initial-password)", Object: "Job/argocd/redis-secret-init"},
			{Namespace: "consul", Name: "injector-webhook-cert", Via: "Deployment consul/webhook-cert-manager (consul webhook-cert-manager)", Object: "Deployment/consul/webhook-cert-manager"},
			{Namespace: "consul", Name: "other-cert", Via: "Deployment consul/webhook-cert-manager (consul webhook-cert-manager)", Object: "Deployment/consul/webhook-cert-manager"},
		}},
		{"not-producers.yaml", nil},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			set := buildFixture(t, "testdata/producers/"+tt.fixture)
			diff(t, "producers", viewProducers(set.Producers), tt.want)
		})
	}
}

// Secret values are blanked as soon as they are decoded, so no later stage
// can print them.
func TestSecretValuesNotKept(t *testing.T) {
	set := buildFixture(t, "testdata/producers/secret-data-and-string-data.yaml")
	dump := fmt.Sprintf("%#v", set.Objects[0].Body) + fmt.Sprintf("%#v", set.Producers)
	for _, canary := range []string{"c2VjcmV0LXZhbHVlLWNhbmFyeQ==", "YWRtaW4=", "canary-plain-value", "admin"} {
		if strings.Contains(dump, canary) {
			t.Errorf("a Secret value %q is kept after Build", canary)
		}
	}
	if got := stringAt(set.Objects[0].Body, "data", "password"); got != "" {
		t.Errorf("data.password = %q, want blanked", got)
	}
}

// A workload whose ServiceAccount may create Secrets names, in its command
// line and env, the Secrets it may create; one that may not names none.
func TestRunTimeCreators(t *testing.T) {
	set := buildFixture(t, "testdata/producers/runtime-creator.yaml")
	diff(t, "creators", viewProducers(set.Creators), []producerView{
		{Namespace: "auth", Name: "out", Via: "Job auth/keygen", Object: "Job/auth/keygen"},
		{Namespace: "auth", Name: "jwt-keys", Via: "Job auth/keygen", Object: "Job/auth/keygen"},
		{Namespace: "auth", Name: "signing-keys", Via: "Job auth/keygen", Object: "Job/auth/keygen"},
	})
	if len(set.Producers) != 0 {
		t.Errorf("producers: %+v, want none", viewProducers(set.Producers))
	}
}
