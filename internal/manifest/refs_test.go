package manifest

import (
	"reflect"
	"testing"
)

func TestRefs(t *testing.T) {
	tests := []struct {
		fixture string
		want    []refView
	}{
		{"env-secret-key-ref.yaml", []refView{
			{Object: "Deployment/shop/cart", Container: "migrate", Where: "env DB_URL", Namespace: "shop", Name: "cart-db", Key: "url", Line: 14, KeyLine: 15},
			{Object: "Deployment/shop/cart", Container: "server", Where: "env DB_PASSWORD", Namespace: "shop", Name: "cart-db", Key: "password", Line: 24, KeyLine: 25},
			{Object: "Deployment/shop/cart", Container: "worker", Where: "env API_TOKEN", Namespace: "shop", Name: "api", Key: "token", Optional: true, Line: 36, KeyLine: 37},
		}},
		{"env-from-secret-ref.yaml", []refView{
			{Object: "StatefulSet/data/db", Container: "postgres", Where: "envFrom", Namespace: "data", Name: "db-env", Line: 15},
			{Object: "StatefulSet/data/db", Container: "postgres", Where: "envFrom", Namespace: "data", Name: "db-extra", Optional: true, Line: 18},
		}},
		{"volume-secret-items.yaml", []refView{
			{Object: "DaemonSet/shop/agent", Where: "volume certs", Namespace: "shop", Name: "agent-tls", Key: "tls.crt", Line: 19, KeyLine: 21},
			{Object: "DaemonSet/shop/agent", Where: "volume certs", Namespace: "shop", Name: "agent-tls", Key: "tls.key", Line: 19, KeyLine: 23},
			{Object: "DaemonSet/shop/agent", Where: "volume whole", Namespace: "shop", Name: "agent-extra", Optional: true, Line: 27},
			{Object: "DaemonSet/shop/agent", Where: "volume empty-items", Namespace: "shop", Name: "agent-empty", Line: 31},
		}},
		{"projected-volume-secrets.yaml", []refView{
			{Object: "Job/shop/report", Where: "projected volume bundle", Namespace: "shop", Name: "report-creds", Key: "username", Line: 17, KeyLine: 19},
			{Object: "Job/shop/report", Where: "projected volume bundle", Namespace: "shop", Name: "report-ca", Optional: true, Line: 24},
		}},
		{"image-pull-secrets.yaml", []refView{
			{Object: "CronJob/shop/nightly", Where: "imagePullSecrets", Namespace: "shop", Name: "regcred", Line: 11},
		}},
		{"serviceaccount-secrets.yaml", []refView{
			{Object: "ServiceAccount/shop/builder", Where: "ServiceAccount imagePullSecrets", Namespace: "shop", Name: "regcred", Line: 6},
			{Object: "ServiceAccount/shop/builder", Where: "ServiceAccount secrets", Namespace: "shop", Name: "builder-token", Line: 8},
		}},
		{"ingress-tls.yaml", []refView{
			{Object: "Ingress/shop/web", Where: "Ingress tls", Namespace: "shop", Name: "web-tls", Line: 8},
		}},
		{"gateway-api-certificate-refs.yaml", []refView{
			{Object: "Gateway/edge/public", Where: "Gateway listener https", Namespace: "edge", Name: "public-tls", Line: 14},
			{Object: "Gateway/edge/public", Where: "Gateway listener https", Namespace: "certs", Name: "shared-tls", Line: 17},
		}},
		{"istio-gateway-workload-rendered.yaml", []refView{
			{Object: "Gateway/shop/shop-gw", Where: "Gateway server https credentialName", Namespace: "istio-ingress", Name: "shop-cert", Line: 15},
			{Object: "Gateway/shop/shop-gw", Where: "Gateway server 8443 credentialName", Namespace: "istio-ingress", Name: "admin-cert", Line: 21},
		}},
		{"istio-gateway-workload-not-rendered.yaml", []refView{
			{Object: "Gateway/shop/shop-gw", Where: "Gateway server https credentialName", Name: "shop-cert", Any: true, Line: 15},
		}},
		{"istio-user-volume-list.yaml", []refView{
			{Object: "Deployment/shop/api", Where: "annotation sidecar.istio.io/userVolume", Namespace: "shop", Name: "api-client-certs", Line: 9},
		}},
		{"istio-user-volume-map.yaml", []refView{
			{Object: "Deployment/shop/api", Where: "annotation sidecar.istio.io/userVolume", Namespace: "shop", Name: "alpha-certs", Optional: true, Line: 9},
			{Object: "Deployment/shop/api", Where: "annotation sidecar.istio.io/userVolume", Namespace: "shop", Name: "zeta-certs", Key: "ca.crt", Line: 9, KeyLine: 9},
		}},
		{"istio-user-volume-invalid.yaml", nil},
		{"pod-ephemeral-container.yaml", []refView{
			{Object: "Pod/shop/debug", Container: "debugger", Where: "env TOKEN", Namespace: "shop", Name: "debug-token", Key: "token", Line: 14, KeyLine: 15},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			set := buildFixture(t, "testdata/refs/"+tt.fixture)
			diff(t, "refs", viewRefs(set.Refs), tt.want)
		})
	}
}

func TestRefsIstioGatewaySelector(t *testing.T) {
	set := buildFixture(t, "testdata/refs/istio-gateway-workload-rendered.yaml")
	want := map[string]string{"istio": "ingressgateway"}
	for _, r := range set.Refs {
		if !reflect.DeepEqual(r.GatewaySelector, want) {
			t.Errorf("%s: GatewaySelector = %v, want %v", r.Where, r.GatewaySelector, want)
		}
	}
}

// A gateway workload in several namespaces reads the credential in each.
func TestRefsIstioGatewayInSeveralNamespaces(t *testing.T) {
	set := buildFixture(t, "testdata/refs/istio-gateway-workloads-two-namespaces.yaml")
	diff(t, "refs", viewRefs(set.Refs), []refView{
		{Object: "Gateway/shop/shop-gw", Where: "Gateway server https credentialName", Namespace: "gw-a", Name: "shop-cert", Line: 14},
		{Object: "Gateway/shop/shop-gw", Where: "Gateway server https credentialName", Namespace: "gw-b", Name: "shop-cert", Line: 14},
	})
}

func TestProblemsUserVolume(t *testing.T) {
	set := buildFixture(t, "testdata/refs/istio-user-volume-invalid.yaml")
	type view struct {
		Object, Message string
		Line            int
	}
	var got []view
	for _, p := range set.Problems {
		got = append(got, view{p.Object.ID(), p.Message, p.Object.LineOf(p.Path...)})
	}
	diff(t, "problems", got, []view{
		{"Deployment/shop/api", "annotation sidecar.istio.io/userVolume is not valid JSON: unexpected end of JSON input", 9},
		{"Deployment/shop/api-scalar", "annotation sidecar.istio.io/userVolume is not a JSON list of volumes", 22},
	})
}

func TestPodServiceAccount(t *testing.T) {
	set := buildFixture(t, "testdata/workloads/serviceaccount-rendered.yaml")
	if len(set.Workloads) != 2 {
		t.Fatalf("got %d workloads, want 2", len(set.Workloads))
	}
	podSA := func(w *Workload) *Object { return set.ServiceAccounts[w.Namespace+"/"+w.Pod.ServiceAccountName] }
	if sa := podSA(set.Workloads[0]); sa == nil || sa.ID() != "ServiceAccount/shop/builder" {
		t.Errorf("ServiceAccount of builder = %v, want ServiceAccount/shop/builder", sa)
	}
	if sa := podSA(set.Workloads[1]); sa != nil {
		t.Errorf("ServiceAccount of default = %s, want nil (not rendered)", sa.ID())
	}
	if got := set.ServiceAccounts["shop/builder"]; got == nil {
		t.Errorf("ServiceAccounts[shop/builder] missing: %v", set.ServiceAccounts)
	}
	if ns := set.Namespaces["shop"]; ns == nil || ns.Namespace != "" {
		t.Errorf("Namespaces[shop] = %+v, want the cluster-scoped Namespace object", ns)
	}
}
