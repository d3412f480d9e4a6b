package manifest

// Secret producers (SPEC "What produces a Secret"). Only key names are
// read; values are never copied.

// tlsKeys are the keys cert-manager writes into a certificate's Secret.
var tlsKeys = []string{"ca.crt", "tls.crt", "tls.key"}

// certManagerIssuerAnnotations make cert-manager's ingress-shim and
// gateway-shim create a Certificate for the object's TLS Secrets;
// kubernetes.io/tls-acme does so when the controller has a default issuer.
var certManagerIssuerAnnotations = []string{
	"cert-manager.io/issuer",
	"cert-manager.io/cluster-issuer",
	"kubernetes.io/tls-acme",
}

func producers(obj *Object) []Producer {
	g := group(obj.APIVersion)
	switch {
	case g == "" && obj.Kind == "Secret":
		return []Producer{{
			Namespace: obj.Namespace, Name: obj.Name,
			Keys:      sortedKeys(mapAt(obj.Body, "data"), mapAt(obj.Body, "stringData")),
			KeysKnown: true, Via: "Secret", Object: obj,
		}}
	case g == "bitnami.com" && obj.Kind == "SealedSecret":
		return sealedSecret(obj)
	case g == "external-secrets.io" && obj.Kind == "ExternalSecret":
		return externalSecret(obj)
	case g == "cert-manager.io" && obj.Kind == "Certificate":
		return certificate(obj)
	case g == "secrets.hashicorp.com" && vaultKinds[obj.Kind]:
		name := stringAt(obj.Body, "spec", "destination", "name")
		if name == "" {
			return nil
		}
		return []Producer{{Namespace: obj.Namespace, Name: name, Via: obj.Kind + " " + obj.Namespace + "/" + obj.Name, Object: obj}}
	case (g == "networking.k8s.io" || g == "extensions") && obj.Kind == "Ingress":
		return certManagerShim(obj, ingressTLSSecrets)
	case g == "gateway.networking.k8s.io" && obj.Kind == "Gateway":
		return certManagerShim(obj, gatewayTLSSecrets)
	case g == "" && obj.Kind == "Service":
		return servingCert(obj)
	case mapAt(obj.Body, "spec", "writeConnectionSecretToRef") != nil:
		return connectionSecret(obj)
	}
	return nil
}

// servingCertAnnotations make OpenShift's service CA operator write a
// serving certificate for the Service into the named Secret.
var servingCertAnnotations = []string{
	"service.beta.openshift.io/serving-cert-secret-name",
	"service.alpha.openshift.io/serving-cert-secret-name",
}

func servingCert(obj *Object) []Producer {
	for _, a := range servingCertAnnotations {
		if name := obj.Annotations[a]; name != "" {
			return []Producer{{Namespace: obj.Namespace, Name: name, Keys: []string{"tls.crt", "tls.key"}, KeysKnown: true,
				Via: "Service " + obj.Namespace + "/" + obj.Name + " (OpenShift serving certificate)", Object: obj}}
		}
	}
	return nil
}

// connectionSecret: a Crossplane managed resource, claim or composite
// writes its connection details into spec.writeConnectionSecretToRef
// (namespace defaulting to the object's own); the keys depend on the
// provider.
func connectionSecret(obj *Object) []Producer {
	name := stringAt(obj.Body, "spec", "writeConnectionSecretToRef", "name")
	ns := stringAt(obj.Body, "spec", "writeConnectionSecretToRef", "namespace")
	if ns == "" {
		ns = obj.Namespace
	}
	if name == "" || ns == "" {
		return nil
	}
	return []Producer{{Namespace: ns, Name: name, Via: obj.ID() + " (Crossplane connection secret)", Object: obj}}
}

// vaultKinds are the Vault Secrets Operator kinds that sync into a
// destination Secret.
var vaultKinds = map[string]bool{
	"VaultStaticSecret":  true,
	"VaultDynamicSecret": true,
	"VaultPKISecret":     true,
	"HCPVaultSecretsApp": true,
}

// sealedSecret: the controller unseals spec.encryptedData into a Secret
// named and placed by spec.template.metadata, adding spec.template.data.
func sealedSecret(obj *Object) []Producer {
	name := stringAt(obj.Body, "spec", "template", "metadata", "name")
	if name == "" {
		name = obj.Name
	}
	ns := stringAt(obj.Body, "spec", "template", "metadata", "namespace")
	if ns == "" {
		ns = obj.Namespace
	}
	return []Producer{{
		Namespace: ns, Name: name,
		Keys:      sortedKeys(mapAt(obj.Body, "spec", "encryptedData"), mapAt(obj.Body, "spec", "template", "data")),
		KeysKnown: true, Via: "SealedSecret", Object: obj,
	}}
}

// externalSecret: creationPolicy Merge and None write into a Secret that
// must exist already (or none at all), so only Owner and Orphan create one.
func externalSecret(obj *Object) []Producer {
	switch stringAt(obj.Body, "spec", "target", "creationPolicy") {
	case "Merge", "None":
		return nil
	}
	name := stringAt(obj.Body, "spec", "target", "name")
	if name == "" {
		name = obj.Name
	}
	p := Producer{Namespace: obj.Namespace, Name: name, KeysKnown: true,
		Via: "ExternalSecret " + obj.Namespace + "/" + obj.Name, Object: obj}
	keys := []string{}
	for _, d := range listAt(obj.Body, "spec", "data") {
		if m, ok := d.(map[string]any); ok {
			if k := stringify(m["secretKey"]); k != "" {
				keys = append(keys, k)
			}
		}
	}
	keys = append(keys, sortedKeys(mapAt(obj.Body, "spec", "target", "template", "data"))...)
	// dataFrom fetches whole remote secrets and templateFrom renders keys
	// from ConfigMaps or Secrets: neither shows its keys here.
	if len(listAt(obj.Body, "spec", "dataFrom")) > 0 || len(listAt(obj.Body, "spec", "target", "template", "templateFrom")) > 0 {
		p.KeysKnown = false
	}
	p.Keys = uniqueSorted(keys)
	return []Producer{p}
}

// certificate: cert-manager writes the key pair and CA into spec.secretName,
// plus keystores and additional output formats when asked.
func certificate(obj *Object) []Producer {
	name := stringAt(obj.Body, "spec", "secretName")
	if name == "" {
		return nil
	}
	keys := append([]string{}, tlsKeys...)
	if on, _ := boolAt(obj.Body, "spec", "keystores", "jks", "create"); on {
		keys = append(keys, "keystore.jks", "truststore.jks")
	}
	if on, _ := boolAt(obj.Body, "spec", "keystores", "pkcs12", "create"); on {
		keys = append(keys, "keystore.p12", "truststore.p12")
	}
	for _, f := range listAt(obj.Body, "spec", "additionalOutputFormats") {
		if m, ok := f.(map[string]any); ok {
			switch stringify(m["type"]) {
			case "CombinedPEM":
				keys = append(keys, "tls-combined.pem")
			case "DER":
				keys = append(keys, "key.der")
			}
		}
	}
	return []Producer{{
		Namespace: obj.Namespace, Name: name, Keys: uniqueSorted(keys), KeysKnown: true,
		Via: "Certificate " + obj.Namespace + "/" + obj.Name, Object: obj,
	}}
}

func hasIssuerAnnotation(obj *Object) bool {
	for _, a := range certManagerIssuerAnnotations {
		if v, ok := obj.Annotations[a]; ok && (a != "kubernetes.io/tls-acme" || v == "true") {
			return true
		}
	}
	return false
}

// certManagerShim: cert-manager's ingress-shim and gateway-shim create a
// Certificate, and so a TLS Secret, for each TLS Secret an annotated Ingress
// or Gateway API Gateway names.
func certManagerShim(obj *Object, secrets func(*Object) []tlsSecret) []Producer {
	if !hasIssuerAnnotation(obj) {
		return nil
	}
	var out []Producer
	for _, sec := range secrets(obj) {
		out = append(out, Producer{
			Namespace: sec.namespace, Name: sec.name, Keys: append([]string{}, tlsKeys...), KeysKnown: true,
			Via: obj.Kind + " " + obj.Namespace + "/" + obj.Name + " (cert-manager)", Object: obj,
		})
	}
	return out
}

// tlsSecret is a Secret an Ingress or a Gateway API listener names for TLS:
// what its controller reads, and what cert-manager's shims create.
type tlsSecret struct {
	name, namespace string
	listener        string // the listener's name; "" for an Ingress
	path            []any  // of the name in the object
}

// ingressTLSSecrets are the secretNames of an Ingress's tls entries.
func ingressTLSSecrets(obj *Object) []tlsSecret {
	var out []tlsSecret
	for j, t := range listAt(obj.Body, "spec", "tls") {
		tm, _ := t.(map[string]any)
		if name := stringAt(tm, "secretName"); name != "" {
			out = append(out, tlsSecret{name: name, namespace: obj.Namespace, path: []any{"spec", "tls", j, "secretName"}})
		}
	}
	return out
}

// gatewayTLSSecrets are the Secret certificateRefs of the listeners of a
// Gateway or ListenerSet.
func gatewayTLSSecrets(obj *Object) []tlsSecret {
	var out []tlsSecret
	for j, l := range listAt(obj.Body, "spec", "listeners") {
		lm, _ := l.(map[string]any)
		for k, c := range listAt(lm, "tls", "certificateRefs") {
			cm, _ := c.(map[string]any)
			if name, ns, ok := gatewaySecretRef(cm, obj.Namespace); ok {
				out = append(out, tlsSecret{name: name, namespace: ns, listener: stringify(lm["name"]),
					path: []any{"spec", "listeners", j, "tls", "certificateRefs", k, "name"}})
			}
		}
	}
	return out
}

// gatewaySecretRef reads a Gateway API SecretObjectReference: kind Secret
// in the core group (the defaults), namespace defaulting to the Gateway's.
func gatewaySecretRef(ref map[string]any, defaultNS string) (name, ns string, ok bool) {
	if ref == nil {
		return "", "", false
	}
	if k := stringAt(ref, "kind"); k != "" && k != "Secret" {
		return "", "", false
	}
	if g := stringAt(ref, "group"); g != "" && g != "core" {
		return "", "", false
	}
	name = stringAt(ref, "name")
	ns = stringAt(ref, "namespace")
	if ns == "" {
		ns = defaultNS
	}
	return name, ns, name != ""
}
