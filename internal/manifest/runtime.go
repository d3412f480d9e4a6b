package manifest

import (
	"encoding/json"
	"regexp"
	"strings"
)

// Secrets written at run time: by a generator a chart runs (a hook Job, a
// controller of the release), recognised by its command line, or by a
// workload that evidently does it (docs/secrets.md lists both).

// runCommand is the command line and env values of one container.
type runCommand struct {
	words []string // command then args
	env   []string // env values
}

func runCommands(w *Workload) []runCommand {
	var out []runCommand
	for _, c := range w.Pod.Containers {
		cm := containerBody(w.Pod.Spec, c)
		var rc runCommand
		for _, field := range []string{"command", "args"} {
			for _, a := range listAt(cm, field) {
				rc.words = append(rc.words, stringify(a))
			}
		}
		for _, e := range listAt(cm, "env") {
			em, _ := e.(map[string]any)
			if v := stringify(em["value"]); v != "" {
				rc.env = append(rc.env, v)
			}
		}
		out = append(out, rc)
	}
	return out
}

// flagValue is the value of a --name=V or --name V flag (one or two
// dashes) among words, with every word split at white space (a shell
// script in one argument).
func flagValue(words []string, name string) string {
	var fields []string
	for _, w := range words {
		fields = append(fields, strings.Fields(w)...)
	}
	for i, f := range fields {
		f = strings.TrimLeft(f, "-")
		if len(f) == len(fields[i]) {
			continue
		}
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return strings.Trim(v, `"'`)
		}
		if f == name && i+1 < len(fields) {
			return strings.Trim(fields[i+1], `"'`)
		}
	}
	return ""
}

func hasWord(words []string, word string) bool {
	for _, w := range words {
		for _, f := range strings.Fields(w) {
			if f == word {
				return true
			}
		}
	}
	return false
}

// generatorProducers are the Secrets the recognised generators among the
// workload's containers write when they run.
func generatorProducers(w *Workload, configMaps map[string]*Object) []Producer {
	var out []Producer
	via := func(generator string) string {
		return w.Kind + " " + w.Namespace + "/" + w.Name + " (" + generator + ")"
	}
	for _, rc := range runCommands(w) {
		switch {
		case hasWord(rc.words, "create") && flagValue(rc.words, "secret-name") != "":
			// kube-webhook-certgen create (ingress-nginx,
			// kube-prometheus-stack, ...): a CA and a serving
			// certificate under --ca-name, --cert-name, --key-name.
			ns := flagValue(rc.words, "namespace")
			if ns == "" || strings.Contains(ns, "$(") {
				// $(POD_NAMESPACE): the charts set it from the pod's
				// own namespace.
				ns = w.Namespace
			}
			keys := []string{"ca", "cert", "key"}
			for i, flag := range []string{"ca-name", "cert-name", "key-name"} {
				if v := flagValue(rc.words, flag); v != "" {
					keys[i] = v
				}
			}
			out = append(out, Producer{Namespace: ns, Name: flagValue(rc.words, "secret-name"), Keys: uniqueSorted(keys),
				KeysKnown: true, Via: via("kube-webhook-certgen"), Object: w.Object})
		case hasWord(rc.words, "admin") && hasWord(rc.words, "redis-initial-password"):
			// argocd admin redis-initial-password (argo-cd's
			// redis-secret-init hook) writes Secret argocd-redis, key auth.
			out = append(out, Producer{Namespace: w.Namespace, Name: "argocd-redis", Keys: []string{"auth"},
				KeysKnown: true, Via: via("argocd admin redis-initial-password"), Object: w.Object})
		case hasWord(rc.words, "webhook-cert-manager") && flagValue(rc.words, "config-file") != "":
			out = append(out, webhookCertManager(w, configMaps, via("consul webhook-cert-manager"))...)
		}
	}
	return out
}

// webhookCertManager: consul-k8s's webhook-cert-manager writes, for each
// entry of its JSON config (a ConfigMap the workload mounts), a TLS Secret
// secretName in secretNamespace. Its keys are not read here.
func webhookCertManager(w *Workload, configMaps map[string]*Object, via string) []Producer {
	var out []Producer
	for _, v := range listAt(w.Pod.Spec, "volumes") {
		vm, _ := v.(map[string]any)
		cm := configMaps[w.Namespace+"/"+stringAt(vm, "configMap", "name")]
		if cm == nil {
			continue
		}
		for _, k := range sortedKeys(mapAt(cm.Body, "data")) {
			var entries []struct {
				SecretName      string `json:"secretName"`
				SecretNamespace string `json:"secretNamespace"`
			}
			if json.Unmarshal([]byte(stringify(mapAt(cm.Body, "data")[k])), &entries) != nil {
				continue
			}
			for _, e := range entries {
				ns := e.SecretNamespace
				if ns == "" {
					ns = w.Namespace
				}
				if e.SecretName != "" {
					out = append(out, Producer{Namespace: ns, Name: e.SecretName, Via: via, Object: w.Object})
				}
			}
		}
	}
	return out
}

// nameToken is a word that may be a Secret's name (a DNS subdomain).
var nameToken = regexp.MustCompile(`[a-z0-9]([a-z0-9.-]*[a-z0-9])?`)

// runTimeCreators are the Secrets that workloads evidently create when
// they run: every name-like word of a container's command, args or env
// values, for a workload whose ServiceAccount is bound to a Role or
// ClusterRole that may create Secrets. They explain a missing Secret; they
// do not produce it.
func runTimeCreators(set *Set) []Producer {
	rbac := secretCreatorAccounts(set.Objects)
	var out []Producer
	for _, w := range set.Workloads {
		if !rbac[w.Namespace+"/"+w.Pod.ServiceAccountName] {
			continue
		}
		seen := map[string]bool{}
		for _, rc := range runCommands(w) {
			for _, s := range append(append([]string{}, rc.words...), rc.env...) {
				for _, name := range nameToken.FindAllString(s, -1) {
					if !seen[name] {
						seen[name] = true
						out = append(out, Producer{Namespace: w.Namespace, Name: name,
							Via: w.Kind + " " + w.Namespace + "/" + w.Name, Object: w.Object})
					}
				}
			}
		}
	}
	return out
}

// secretCreatorAccounts are the ServiceAccounts (namespace/name) that a
// rendered RoleBinding or ClusterRoleBinding binds to a rendered Role or
// ClusterRole allowing create on Secrets.
func secretCreatorAccounts(objects []*Object) map[string]bool {
	roles := map[string]bool{} // "Role/ns/name" or "ClusterRole//name"
	for _, o := range objects {
		if group(o.APIVersion) != "rbac.authorization.k8s.io" || (o.Kind != "Role" && o.Kind != "ClusterRole") {
			continue
		}
		if rulesCreateSecrets(listAt(o.Body, "rules")) {
			ns := o.Namespace
			if o.Kind == "ClusterRole" {
				ns = ""
			}
			roles[o.Kind+"/"+ns+"/"+o.Name] = true
		}
	}
	out := map[string]bool{}
	for _, o := range objects {
		if group(o.APIVersion) != "rbac.authorization.k8s.io" || (o.Kind != "RoleBinding" && o.Kind != "ClusterRoleBinding") {
			continue
		}
		kind, name := stringAt(o.Body, "roleRef", "kind"), stringAt(o.Body, "roleRef", "name")
		ns := o.Namespace
		if kind == "ClusterRole" {
			ns = ""
		}
		if !roles[kind+"/"+ns+"/"+name] {
			continue
		}
		for _, s := range listAt(o.Body, "subjects") {
			sm, _ := s.(map[string]any)
			if stringAt(sm, "kind") != "ServiceAccount" {
				continue
			}
			sns := stringAt(sm, "namespace")
			if sns == "" {
				sns = o.Namespace
			}
			out[sns+"/"+stringAt(sm, "name")] = true
		}
	}
	return out
}

func rulesCreateSecrets(rules []any) bool {
	for _, r := range rules {
		rm, _ := r.(map[string]any)
		if anyOf(listAt(rm, "apiGroups"), "", "*") && anyOf(listAt(rm, "resources"), "secrets", "*") &&
			anyOf(listAt(rm, "verbs"), "create", "*") {
			return true
		}
	}
	return false
}

func anyOf(list []any, want ...string) bool {
	for _, v := range list {
		for _, w := range want {
			if stringify(v) == w {
				return true
			}
		}
	}
	return false
}
