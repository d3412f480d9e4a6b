package manifest

// Pod template locations by built-in kind (SPEC "What counts as a
// workload"). Other kinds are workloads when they have a pod template at
// one of the generic paths.
var (
	templatePath    = []any{"spec", "template"}
	jobTemplatePath = []any{"spec", "jobTemplate", "spec", "template"}
)

// builtinTemplate is the pod template path of a built-in workload kind,
// keyed by group/kind; a bare Pod has its own metadata and spec (nil path).
var builtinTemplate = map[string][]any{
	"/Pod":                   nil,
	"/ReplicationController": templatePath,
	"apps/Deployment":        templatePath,
	"apps/StatefulSet":       templatePath,
	"apps/DaemonSet":         templatePath,
	"apps/ReplicaSet":        templatePath,
	"extensions/Deployment":  templatePath,
	"extensions/DaemonSet":   templatePath,
	"extensions/ReplicaSet":  templatePath,
	"batch/Job":              templatePath,
	"batch/CronJob":          jobTemplatePath,
}

// workload extracts obj's pod template, nil when obj is no workload.
func workload(obj *Object) *Workload {
	path, builtin := builtinTemplate[group(obj.APIVersion)+"/"+obj.Kind]
	if !builtin {
		switch {
		case hasPodSpec(obj.Body, templatePath):
			path = templatePath
		case hasPodSpec(obj.Body, jobTemplatePath):
			path = jobTemplatePath
		default:
			return nil
		}
	}
	tmpl := obj.Body
	for _, el := range path {
		tmpl = mapAt(tmpl, el.(string))
	}
	spec := mapAt(tmpl, "spec")
	w := &Workload{
		Object: obj,
		IsJob:  obj.Kind == "Job" || obj.Kind == "CronJob",
		Pod: PodTemplate{
			Path:        join(nil, path...),
			Labels:      stringMap(tmpl, "metadata", "labels"),
			Annotations: stringMap(tmpl, "metadata", "annotations"),
			Spec:        spec,
		},
	}
	if path == nil {
		w.Pod.Path = nil
	}
	w.Pod.HostNetwork, _ = boolAt(spec, "hostNetwork")
	if b, ok := boolAt(spec, "automountServiceAccountToken"); ok {
		w.Pod.AutomountServiceAccountToken = &b
	}
	w.Pod.ServiceAccountName = stringAt(spec, "serviceAccountName")
	if w.Pod.ServiceAccountName == "" {
		// The deprecated alias is still honoured by the API server.
		w.Pod.ServiceAccountName = stringAt(spec, "serviceAccount")
	}
	if w.Pod.ServiceAccountName == "" {
		w.Pod.ServiceAccountName = "default"
	}
	specPath := join(w.Pod.Path, "spec")
	for _, f := range containerFields {
		for i, item := range listAt(spec, f.field) {
			c, ok := item.(map[string]any)
			if !ok {
				continue
			}
			w.Pod.Containers = append(w.Pod.Containers, container(c, f.kind, join(specPath, f.field, i)))
		}
	}
	return w
}

// containerFields in the order the kubelet starts them.
var containerFields = []struct{ field, kind string }{
	{"initContainers", ContainerInit},
	{"containers", ContainerApp},
	{"ephemeralContainers", ContainerEphemeral},
}

// hasPodSpec: a pod template at path whose spec has a containers field
// (possibly null), so that a custom resource that merely has a
// spec.template.spec of another shape is not taken for a workload.
func hasPodSpec(body map[string]any, path []any) bool {
	m := body
	for _, el := range path {
		m = mapAt(m, el.(string))
	}
	_, ok := mapAt(m, "spec")["containers"]
	return ok
}

func container(c map[string]any, kind string, path []any) Container {
	out := Container{
		Name:  stringify(c["name"]),
		Type:  kind,
		Image: stringify(c["image"]),
		Path:  path,
		// A native sidecar is an init container that keeps running.
		RestartPolicyAlways: kind == ContainerInit && stringAt(c, "restartPolicy") == "Always",
	}
	switch uid := mapAt(c, "securityContext")["runAsUser"].(type) {
	case int:
		out.RunAsUser = ptrInt64(int64(uid))
	case int64:
		out.RunAsUser = ptrInt64(uid)
	case float64:
		out.RunAsUser = ptrInt64(int64(uid))
	}
	for _, e := range listAt(c, "env") {
		if m, ok := e.(map[string]any); ok {
			if name := stringify(m["name"]); name != "" {
				out.Env = append(out.Env, name)
			}
		}
	}
	for _, e := range listAt(c, "envFrom") {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		src := EnvFromSource{Prefix: stringify(m["prefix"])}
		switch {
		case mapAt(m, "secretRef") != nil:
			src.Kind = "Secret"
			src.Name = stringAt(m, "secretRef", "name")
			src.Optional, _ = boolAt(m, "secretRef", "optional")
		case mapAt(m, "configMapRef") != nil:
			src.Kind = "ConfigMap"
			src.Name = stringAt(m, "configMapRef", "name")
			src.Optional, _ = boolAt(m, "configMapRef", "optional")
		default:
			continue
		}
		out.EnvFrom = append(out.EnvFrom, src)
	}
	return out
}

func ptrInt64(v int64) *int64 { return &v }
