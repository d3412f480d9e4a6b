package manifest

import (
	"encoding/json"
	"sort"
	"strconv"
)

// Secret references (SPEC "What counts as a secret reference").

// userVolumeAnnotation lists extra volumes for Istio's sidecar.
const userVolumeAnnotation = "sidecar.istio.io/userVolume"

// workloadRefs are the references of one pod template: container-level
// (env, envFrom) first, then pod-level (volumes, imagePullSecrets, the
// Istio userVolume annotation).
func workloadRefs(w *Workload) ([]Ref, []Problem) {
	obj := w.Object
	var refs []Ref
	add := func(r Ref) {
		if r.Name != "" {
			r.Object = obj
			r.Namespace = obj.Namespace
			refs = append(refs, r)
		}
	}
	spec := w.Pod.Spec
	for _, c := range w.Pod.Containers {
		cm := containerBody(spec, c)
		for j, e := range listAt(cm, "env") {
			em, _ := e.(map[string]any)
			ref := mapAt(em, "valueFrom", "secretKeyRef")
			if ref == nil {
				continue
			}
			p := join(c.Path, "env", j, "valueFrom", "secretKeyRef")
			r := Ref{Container: c.Name, Name: stringAt(ref, "name"), Key: stringAt(ref, "key"),
				Where: "env " + stringify(em["name"]), Path: join(p, "name")}
			r.Optional, _ = boolAt(ref, "optional")
			if r.Key != "" {
				r.KeyPath = join(p, "key")
			}
			add(r)
		}
		for j, e := range listAt(cm, "envFrom") {
			em, _ := e.(map[string]any)
			ref := mapAt(em, "secretRef")
			if ref == nil {
				continue
			}
			r := Ref{Container: c.Name, Name: stringAt(ref, "name"), Where: "envFrom",
				Path: join(c.Path, "envFrom", j, "secretRef", "name")}
			r.Optional, _ = boolAt(ref, "optional")
			add(r)
		}
	}
	specPath := join(w.Pod.Path, "spec")
	for j, v := range listAt(spec, "volumes") {
		vm, _ := v.(map[string]any)
		for _, r := range volumeRefs(vm, join(specPath, "volumes", j)) {
			add(r)
		}
	}
	for j, s := range listAt(spec, "imagePullSecrets") {
		sm, _ := s.(map[string]any)
		add(Ref{Name: stringAt(sm, "name"), Where: "imagePullSecrets", Path: join(specPath, "imagePullSecrets", j, "name")})
	}
	var problems []Problem
	if raw, ok := w.Pod.Annotations[userVolumeAnnotation]; ok {
		annPath := join(w.Pod.Path, "metadata", "annotations", userVolumeAnnotation)
		vols, msg := parseUserVolumes(raw)
		if msg != "" {
			problems = append(problems, Problem{Object: obj, Path: annPath, Message: msg})
		}
		for _, vm := range vols {
			for _, r := range volumeRefs(vm, nil) {
				r.Where = "annotation " + userVolumeAnnotation
				r.Path = annPath
				r.KeyPath = nil
				if r.Key != "" {
					r.KeyPath = annPath
				}
				add(r)
			}
		}
	}
	return refs, problems
}

// containerBody is the decoded container c of spec.
func containerBody(spec map[string]any, c Container) map[string]any {
	if len(c.Path) < 2 {
		return nil
	}
	field, _ := c.Path[len(c.Path)-2].(string)
	idx, _ := c.Path[len(c.Path)-1].(int)
	list := listAt(spec, field)
	if idx < 0 || idx >= len(list) {
		return nil
	}
	m, _ := list[idx].(map[string]any)
	return m
}

// volumeRefs are the Secret references of one volume: a secret volume, or
// the secret sources of a projected volume; one per items[].key, or one for
// the whole Secret without items.
func volumeRefs(vol map[string]any, volPath []any) []Ref {
	volName := stringify(vol["name"])
	var out []Ref
	if sec := mapAt(vol, "secret"); sec != nil {
		out = append(out, itemRefs(sec, stringAt(sec, "secretName"), "volume "+volName,
			join(volPath, "secret"), "secretName")...)
	}
	for k, s := range listAt(vol, "projected", "sources") {
		sm, _ := s.(map[string]any)
		sec := mapAt(sm, "secret")
		if sec == nil {
			continue
		}
		out = append(out, itemRefs(sec, stringAt(sec, "name"), "projected volume "+volName,
			join(volPath, "projected", "sources", k, "secret"), "name")...)
	}
	return out
}

func itemRefs(sec map[string]any, name, where string, secPath []any, nameField string) []Ref {
	optional, _ := boolAt(sec, "optional")
	base := Ref{Name: name, Where: where, Optional: optional, Path: join(secPath, nameField)}
	var out []Ref
	for k, it := range listAt(sec, "items") {
		im, _ := it.(map[string]any)
		key := stringAt(im, "key")
		if key == "" {
			continue
		}
		r := base
		r.Path = join(base.Path)
		r.Key = key
		r.KeyPath = join(secPath, "items", k, "key")
		out = append(out, r)
	}
	if len(out) == 0 {
		out = append(out, base)
	}
	return out
}

// parseUserVolumes reads the sidecar.istio.io/userVolume annotation: a JSON
// list of volumes, or (older Istio) a JSON object of volumes by name.
func parseUserVolumes(raw string) ([]map[string]any, string) {
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, "annotation " + userVolumeAnnotation + " is not valid JSON: " + err.Error()
	}
	bad := "annotation " + userVolumeAnnotation + " is not a JSON list of volumes"
	var out []map[string]any
	switch t := v.(type) {
	case []any:
		for _, it := range t {
			m, ok := it.(map[string]any)
			if !ok {
				return out, bad
			}
			out = append(out, m)
		}
	case map[string]any:
		names := make([]string, 0, len(t))
		for k := range t {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, name := range names {
			m, ok := t[name].(map[string]any)
			if !ok {
				return out, bad
			}
			if _, has := m["name"]; !has {
				m["name"] = name
			}
			out = append(out, m)
		}
	default:
		return nil, bad
	}
	return out, ""
}

// objectRefs are the references written on objects other than pod
// templates: ServiceAccounts, Ingresses and Gateways.
func objectRefs(obj *Object, workloads []*Workload) []Ref {
	g := group(obj.APIVersion)
	var refs []Ref
	add := func(r Ref) {
		if r.Name != "" {
			r.Object = obj
			if r.Namespace == "" && !r.AnyNamespace {
				r.Namespace = obj.Namespace
			}
			refs = append(refs, r)
		}
	}
	switch {
	case g == "" && obj.Kind == "ServiceAccount":
		for j, s := range listAt(obj.Body, "imagePullSecrets") {
			sm, _ := s.(map[string]any)
			add(Ref{Name: stringAt(sm, "name"), Where: "ServiceAccount imagePullSecrets", Path: []any{"imagePullSecrets", j, "name"}})
		}
		for j, s := range listAt(obj.Body, "secrets") {
			sm, _ := s.(map[string]any)
			add(Ref{Name: stringAt(sm, "name"), Where: "ServiceAccount secrets", Path: []any{"secrets", j, "name"}})
		}
	case (g == "networking.k8s.io" || g == "extensions") && obj.Kind == "Ingress":
		for _, sec := range ingressTLSSecrets(obj) {
			add(Ref{Name: sec.name, Namespace: sec.namespace, Where: "Ingress tls", Path: sec.path})
		}
	case (g == "gateway.networking.k8s.io" || g == "gateway.networking.x-k8s.io") &&
		(obj.Kind == "Gateway" || obj.Kind == "ListenerSet" || obj.Kind == "XListenerSet"):
		label := "Gateway"
		if obj.Kind != "Gateway" {
			label = "ListenerSet"
		}
		for _, sec := range gatewayTLSSecrets(obj) {
			add(Ref{Name: sec.name, Namespace: sec.namespace, Where: label + " listener " + sec.listener, Path: sec.path})
		}
	case g == "networking.istio.io" && obj.Kind == "Gateway":
		for _, r := range istioGatewayRefs(obj, workloads) {
			add(r)
		}
	}
	return refs
}

// istioGatewayRefs: a server's credentialName is read by the gateway
// workload (the pods spec.selector picks), in its own namespace. When such
// workloads are rendered, the Secret must be in each of their namespaces;
// otherwise it may be anywhere.
func istioGatewayRefs(obj *Object, workloads []*Workload) []Ref {
	selector := stringMap(obj.Body, "spec", "selector")
	namespaces := gatewayNamespaces(selector, workloads)
	var refs []Ref
	for j, s := range listAt(obj.Body, "spec", "servers") {
		sm, _ := s.(map[string]any)
		port := stringify(mapAt(sm, "port")["name"])
		if port == "" {
			port = stringify(mapAt(sm, "port")["number"])
		}
		if port == "" {
			port = strconv.Itoa(j)
		}
		where := "Gateway server " + port + " credentialName"
		var names []string
		var paths [][]any
		if n := stringAt(sm, "tls", "credentialName"); n != "" {
			names = append(names, n)
			paths = append(paths, []any{"spec", "servers", j, "tls", "credentialName"})
		}
		for k, n := range listAt(sm, "tls", "credentialNames") {
			if s, _ := n.(string); s != "" {
				names = append(names, s)
				paths = append(paths, []any{"spec", "servers", j, "tls", "credentialNames", k})
			}
		}
		for i, name := range names {
			base := Ref{Name: name, Where: where, Path: paths[i], GatewaySelector: selector}
			if len(namespaces) == 0 {
				base.AnyNamespace = true
				refs = append(refs, base)
				continue
			}
			for _, ns := range namespaces {
				r := base
				r.Namespace = ns
				r.Path = join(paths[i])
				refs = append(refs, r)
			}
		}
	}
	return refs
}

// gatewayNamespaces are the sorted namespaces of the rendered workloads
// whose pod labels match every selector label; an empty selector picks
// none (it names no gateway workload meshgate can place).
func gatewayNamespaces(selector map[string]string, workloads []*Workload) []string {
	if len(selector) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, w := range workloads {
		match := true
		for k, v := range selector {
			if got, ok := w.Pod.Labels[k]; !ok || got != v {
				match = false
				break
			}
		}
		if match && !seen[w.Namespace] {
			seen[w.Namespace] = true
			out = append(out, w.Namespace)
		}
	}
	sort.Strings(out)
	return out
}
