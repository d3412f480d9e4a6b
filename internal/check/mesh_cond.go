package check

import (
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/manifest"
)

// meshCond is one condition of a table row: a test of the pod, its
// namespace, the installation (mesh.install) or the mesh version. The
// constructors below build them; each op reads the fields it names.
type meshCond struct {
	op meshOp
	// src and key: where a label or annotation is read.
	src meshSrc
	key string
	// vals: the values a key is compared with, namespace names, container
	// names, or the installation setting's value.
	vals []string
	// images: container image prefixes; types: container kinds.
	images []string
	types  []string
	uid    int64
	// version: the release a version gate compares with.
	version config.MeshVersion
	// kids: the conditions of any and all.
	kids []meshCond
	// table: the table a sub condition runs; outs, the verdicts it wants.
	table *meshTable
}

type meshOp int

const (
	opExists         meshOp = iota // the key is present
	opAbsent                       // the key is not present
	opIn                           // the key is present with one of vals
	opNotIn                        // the key is present with none of vals
	opHostNetwork                  // hostNetwork: true
	opAutomountOff                 // automountServiceAccountToken: false
	opNsNamed                      // the namespace is one of vals
	opNsInList                     // the namespace is in the install list key
	opNsNotInList                  // the namespace is not in the install list key, which has no "*"
	opNsControlPlane               // the namespace is the control plane's
	opNsRendered                   // the namespace's facts come from a rendered Namespace
	opContainer                    // a container of types named one of vals, or whose image starts with one of images
	opAppRunsAs                    // an app container runs as uid
	opInstall                      // the install setting key is one of vals
	opSelector                     // the pod's labels match a selector of the install setting key
	opExceptionLabel               // a pod label is one of mesh.install.exceptionLabels
	opIstioInvalid                 // an annotation istio validates does not validate
	opSince                        // the mesh version is version or later
	opBefore                       // the mesh version is before version
	opSub                          // the table decides meshed or rejected
	opSubOptOut                    // the sub table's verdict was an opt-out
	opAny                          // one of kids holds
	opAll                          // every kid holds
	opNot                          // the kid does not hold
)

// meshSrc is where a label or annotation is read.
type meshSrc int

const (
	srcPodLabel meshSrc = iota
	srcPodAnn
	srcNsLabel
	srcNsAnn
)

// meshKeyRef is a label or annotation of the pod or the namespace, for
// the condition constructors.
type meshKeyRef struct {
	src meshSrc
	key string
}

func podLabel(k string) meshKeyRef { return meshKeyRef{srcPodLabel, k} }
func podAnn(k string) meshKeyRef   { return meshKeyRef{srcPodAnn, k} }
func nsLabel(k string) meshKeyRef  { return meshKeyRef{srcNsLabel, k} }
func nsAnn(k string) meshKeyRef    { return meshKeyRef{srcNsAnn, k} }

func (r meshKeyRef) exists() meshCond { return meshCond{op: opExists, src: r.src, key: r.key} }
func (r meshKeyRef) absent() meshCond { return meshCond{op: opAbsent, src: r.src, key: r.key} }
func (r meshKeyRef) is(vals ...string) meshCond {
	return meshCond{op: opIn, src: r.src, key: r.key, vals: vals}
}
func (r meshKeyRef) isNot(vals ...string) meshCond {
	return meshCond{op: opNotIn, src: r.src, key: r.key, vals: vals}
}

func hostNetwork() meshCond               { return meshCond{op: opHostNetwork} }
func automountOff() meshCond              { return meshCond{op: opAutomountOff} }
func nsNamed(names ...string) meshCond    { return meshCond{op: opNsNamed, vals: names} }
func nsInList(setting string) meshCond    { return meshCond{op: opNsInList, key: setting} }
func nsNotInList(setting string) meshCond { return meshCond{op: opNsNotInList, key: setting} }
func nsControlPlane() meshCond            { return meshCond{op: opNsControlPlane} }
func nsRendered() meshCond                { return meshCond{op: opNsRendered} }
func appRunsAs(uid int64) meshCond        { return meshCond{op: opAppRunsAs, uid: uid} }
func installIs(setting string, vals ...string) meshCond {
	return meshCond{op: opInstall, key: setting, vals: vals}
}
func selectorMatches(setting string) meshCond { return meshCond{op: opSelector, key: setting} }
func exceptionLabel() meshCond                { return meshCond{op: opExceptionLabel} }
func istioInvalidAnnotation() meshCond        { return meshCond{op: opIstioInvalid} }
func since(v config.MeshVersion) meshCond     { return meshCond{op: opSince, version: v} }
func before(v config.MeshVersion) meshCond    { return meshCond{op: opBefore, version: v} }
func sub(t *meshTable) meshCond               { return meshCond{op: opSub, table: t} }
func subOptOut() meshCond                     { return meshCond{op: opSubOptOut} }
func anyOf(kids ...meshCond) meshCond         { return meshCond{op: opAny, kids: kids} }
func allOf(kids ...meshCond) meshCond         { return meshCond{op: opAll, kids: kids} }

// container: a container of these types (app and init when none) named
// one of names.
func container(types []string, names ...string) meshCond {
	return meshCond{op: opContainer, types: types, vals: names}
}

// containerImage: a container of these types whose image starts with one
// of prefixes.
func containerImage(types []string, prefixes ...string) meshCond {
	return meshCond{op: opContainer, types: types, images: prefixes}
}

// Container kinds for container conditions.
var (
	meshAppOrInit = []string{manifest.ContainerApp, manifest.ContainerInit}
	meshInitOnly  = []string{manifest.ContainerInit}
)

// all reports whether every condition holds.
func (e *meshEval) all(cs []meshCond) bool {
	for _, c := range cs {
		if !e.holds(c) {
			return false
		}
	}
	return true
}

// holds evaluates one condition; a condition that finds a key, a
// container or an error keeps it for the row's message and path.
func (e *meshEval) holds(c meshCond) bool {
	switch c.op {
	case opExists, opAbsent, opIn, opNotIn:
		return e.keyTest(c)
	case opHostNetwork:
		return e.w.Pod.HostNetwork
	case opAutomountOff:
		a := e.w.Pod.AutomountServiceAccountToken
		return a != nil && !*a
	case opNsNamed:
		return slices.Contains(c.vals, e.ns.name)
	case opNsInList:
		return slices.Contains(meshInstallList(e.c, c.key), e.ns.name)
	case opNsNotInList:
		l := meshInstallList(e.c, c.key)
		return !slices.Contains(l, "*") && !slices.Contains(l, e.ns.name)
	case opNsControlPlane:
		return e.ns.name == meshInstallValue(e.c, meshSettingControlPlaneNamespace)
	case opNsRendered:
		return e.ns.origin == meshOriginRendered
	case opContainer:
		return e.findContainer(c)
	case opAppRunsAs:
		return e.findUID(c.uid)
	}
	return e.holdsMore(c)
}

// holdsMore evaluates the conditions on the installation, the version,
// other tables and other conditions.
func (e *meshEval) holdsMore(c meshCond) bool {
	switch c.op {
	case opInstall:
		return slices.Contains(c.vals, meshInstallValue(e.c, c.key))
	case opSelector:
		return meshSelectorsMatch(meshInstallSelectors(e.c, c.key), e.w.Pod.Labels)
	case opExceptionLabel:
		return e.findException()
	case opIstioInvalid:
		return e.findInvalidAnnotation()
	case opSince:
		return e.c.version.Compare(c.version) >= 0
	case opBefore:
		return e.c.version.Compare(c.version) < 0
	case opSub:
		v := meshRun(c.table, e.c, e.ns, e.w)
		e.sub = &v
		e.rows = append(e.rows, v.rows...)
		return v.meshed || v.rejected
	case opSubOptOut:
		return e.sub != nil && e.sub.optOut
	case opAny:
		return slices.ContainsFunc(c.kids, e.holds)
	case opAll:
		return e.all(c.kids)
	}
	return false
}

// keyTest tests a label or annotation; one that holds is kept as {key}
// and {val}.
func (e *meshEval) keyTest(c meshCond) bool {
	v, ok := e.read(c.src, c.key)
	var holds bool
	switch c.op {
	case opExists:
		holds = ok
	case opAbsent:
		return !ok
	case opIn:
		holds = ok && slices.Contains(c.vals, v)
	case opNotIn:
		holds = ok && !slices.Contains(c.vals, v)
	}
	if holds {
		e.key, e.val = c.key, v
	}
	return holds
}

// findContainer finds the first container (app, then init, as the
// workload lists them) the condition describes.
func (e *meshEval) findContainer(c meshCond) bool {
	for _, ctr := range e.w.Pod.Containers {
		if !slices.Contains(c.types, ctr.Type) {
			continue
		}
		named := slices.Contains(c.vals, ctr.Name)
		imaged := slices.ContainsFunc(c.images, func(p string) bool { return strings.HasPrefix(ctr.Image, p) })
		if named || imaged {
			e.ctr = ctr
			return true
		}
	}
	return false
}

// findUID finds the first app container that runs as uid.
func (e *meshEval) findUID(uid int64) bool {
	for _, ctr := range e.w.Pod.Containers {
		if ctr.Type == manifest.ContainerApp && ctr.RunAsUser != nil && *ctr.RunAsUser == uid {
			e.ctr = ctr
			return true
		}
	}
	return false
}

// findException finds the first pod label, in key order, that kuma's
// exception labels name with its value or "*".
func (e *meshEval) findException() bool {
	ex := meshInstallExceptions(e.c)
	for _, k := range slices.Sorted(maps.Keys(ex)) {
		if v, ok := e.w.Pod.Labels[k]; ok && (ex[k] == "*" || ex[k] == v) {
			e.key, e.val = k, v
			return true
		}
	}
	return false
}

// findInvalidAnnotation finds the first annotation, in key order, that
// istio's webhook validates and refuses.
func (e *meshEval) findInvalidAnnotation() bool {
	a := e.w.Pod.Annotations
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if since, gated := meshIstioValidatorsSince[k]; gated && e.c.version.Compare(since) < 0 {
			continue
		}
		if f, ok := meshIstioValidators[k]; ok {
			if err := f(a[k]); err != nil {
				e.key, e.val, e.err = k, a[k], err
				return true
			}
		}
	}
	return false
}

// meshSelectorsMatch reports whether one of the selectors matches the
// labels, as istio applies them (inject.go:243-270): through
// metav1.LabelSelectorAsSelector, an empty selector matching nothing.
func meshSelectorsMatch(sels []config.LabelSelector, podLabels map[string]string) bool {
	for _, s := range sels {
		ls := metav1.LabelSelector{MatchLabels: s.MatchLabels}
		for _, r := range s.MatchExpressions {
			ls.MatchExpressions = append(ls.MatchExpressions, metav1.LabelSelectorRequirement{
				Key: r.Key, Operator: metav1.LabelSelectorOperator(r.Operator), Values: r.Values,
			})
		}
		sel, err := metav1.LabelSelectorAsSelector(&ls)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(podLabels)) {
			return true
		}
	}
	return false
}

// The values strconv.ParseBool reads as true and as false
// (TestMeshBools holds them to it).
var (
	meshBoolTrue  = []string{"1", "t", "T", "TRUE", "true", "True"}
	meshBoolFalse = []string{"0", "f", "F", "FALSE", "false", "False"}
	meshBools     = append(slices.Clone(meshBoolTrue), meshBoolFalse...)
)
