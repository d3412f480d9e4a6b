package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// Each provider's injection decision is a table (mesh_tables.go), read by
// the small interpreter below: steps of rows, each row a list of
// conditions that must all hold, the outcome when they do, the message and
// field path of a finding, and the upstream file and line it models.
// docs/mesh-providers.md shows the same tables, generated from them
// (TestMeshTablesDoc), and every row is decided by a test case
// (TestMeshTableRowsCovered).

// meshTable is one provider's decision procedure.
type meshTable struct {
	provider string
	// upstream is the release and commit the rows cite unless a row names
	// another release.
	upstream string
	// labelFallback: before its version, the injector also read this key
	// as an annotation where the pod or namespace lacks the label.
	labelFallback *meshFallback
	steps         []meshStep
}

// meshFallback is a label the injector read as an annotation too before
// a release.
type meshFallback struct {
	key   string
	until config.MeshVersion
}

// meshStep is an ordered list of rows; the first row whose conditions
// hold decides, or sends the pod on to the next step (outNext) or to a
// named one (goTo). A step whose rows all fail sends it on as well.
type meshStep struct {
	name string
	rows []meshRow
}

// meshRow is one line of a provider's table.
type meshRow struct {
	id   string
	when []meshCond
	out  meshOut
	// goTo names the step an outNext row sends the pod to ("" the next).
	goTo string
	// optOutIf turns an outNot verdict into an opt-out when these hold.
	optOutIf []meshCond
	// msg is the finding's message, with placeholders (meshExpand).
	msg   string
	hints []meshHint
	at    meshAt
	// doc says in a few words why, for the docs table.
	doc  string
	cite string
	// remedy is the pod template edit that would mesh the pod, for an
	// outNot row that knows one (internal/fix proves it).
	remedy func(*manifest.Workload) *finding.Remedy
}

// meshHint is text appended to a row's message when its conditions hold.
type meshHint struct {
	when []meshCond
	text string
}

// meshOut is what a row decides.
type meshOut int

const (
	outNext     meshOut = iota // go on: the webhook selected the pod, or a check passed
	outMeshed                  // injected: a sidecar
	outAmbient                 // meshed without a sidecar
	outManual                  // the rendered pod has the sidecar already
	outNot                     // not injected: an error
	outOptOut                  // not injected by the mesh's own switch: mesh.optOut
	outRejected                // the webhook refuses the pod: it is not created
	outSub                     // the verdict of the table a sub condition ran
)

// meshAt says which field a finding points at.
type meshAt struct {
	kind meshAtKind
	key  string
	// sub extends a captured container's path.
	sub []any
}

type meshAtKind int

const (
	atMeta     meshAtKind = iota // the pod template's metadata
	atLabel                      // a pod label (the metadata when absent)
	atAnn                        // a pod annotation (the metadata when absent)
	atSpec                       // a pod spec field
	atCtr                        // the container a condition found
	atCapLabel                   // the label a condition found
	atCapAnn                     // the annotation a condition found
)

func atLabelOf(k string) meshAt { return meshAt{kind: atLabel, key: k} }
func atAnnOf(k string) meshAt   { return meshAt{kind: atAnn, key: k} }
func atSpecOf(f string) meshAt  { return meshAt{kind: atSpec, key: f} }

// meshEval is one decision in progress.
type meshEval struct {
	c     meshCtx
	ns    meshNamespace
	w     *manifest.Workload
	table *meshTable
	// What the conditions found: a key and its value, a container, a
	// validation error, the verdict of another table.
	key, val string
	ctr      manifest.Container
	err      error
	sub      *meshVerdict
	// rows are the ids of the rows that matched, in order.
	rows []string
}

// meshRun decides a pod with a provider's table.
func meshRun(t *meshTable, c meshCtx, ns meshNamespace, w *manifest.Workload) meshVerdict {
	e := &meshEval{c: c, ns: ns, w: w, table: t}
	for i := 0; i < len(t.steps); i++ {
		r, ok := e.first(t.steps[i].rows)
		if !ok {
			continue
		}
		if r.out != outNext {
			v := e.verdict(r)
			v.rows = e.rows
			return v
		}
		if r.goTo != "" {
			i = slices.IndexFunc(t.steps, func(s meshStep) bool { return s.name == r.goTo }) - 1
		}
	}
	// Tables end with a row without conditions; this is not reached.
	return meshVerdict{why: "no row of the " + t.provider + " table decided", rows: e.rows}
}

// first is the first row of a step whose conditions all hold.
func (e *meshEval) first(rows []meshRow) (meshRow, bool) {
	for _, r := range rows {
		if e.all(r.when) {
			e.rows = append(e.rows, e.table.provider+"/"+r.id)
			return r, true
		}
	}
	return meshRow{}, false
}

// verdict is what a deciding row says of the pod.
func (e *meshEval) verdict(r meshRow) meshVerdict {
	switch r.out {
	case outMeshed:
		return meshSidecar()
	case outAmbient:
		return meshVerdict{meshed: true}
	case outManual:
		return meshManual()
	case outSub:
		return *e.sub
	}
	// The row's own findings first: a hint's conditions may find others.
	path, msg := e.path(r.at), e.expand(r.msg)
	for _, h := range r.hints {
		if e.all(h.when) {
			msg += e.expand(h.text)
		}
	}
	switch {
	case r.out == outRejected:
		return meshRejected(msg, path)
	case r.out == outOptOut, len(r.optOutIf) > 0 && e.all(r.optOutIf):
		return meshOptOut(msg, path)
	}
	v := meshNot(msg, path)
	if r.remedy != nil {
		v.remedy = r.remedy(e.w)
	}
	return v
}

// path is the field path a row's finding points at.
func (e *meshEval) path(at meshAt) []any {
	w := e.w
	switch at.kind {
	case atLabel:
		return meshMetaPath(w, "labels", at.key)
	case atAnn:
		return meshMetaPath(w, "annotations", at.key)
	case atSpec:
		return meshSpecPath(w, at.key)
	case atCtr:
		return append(slices.Clone(e.ctr.Path), at.sub...)
	case atCapLabel:
		return meshMetaPath(w, "labels", e.key)
	case atCapAnn:
		return meshMetaPath(w, "annotations", e.key)
	}
	return meshMetaPath(w, "", "")
}

// expand fills a message's placeholders: {ns} the namespace and where its
// facts come from, {nsname} its quoted name, {pl:K} {pa:K} {nl:K} {na:K}
// the quoted value of pod label, pod annotation, namespace label or
// namespace annotation K, {key} {val} {ctr} {err} what a condition found,
// {sub} the message of the table a sub condition ran.
func (e *meshEval) expand(msg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		j := strings.IndexByte(msg[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i])
		if v, ok := e.placeholder(msg[i+1 : i+j]); ok {
			b.WriteString(v)
		} else {
			b.WriteString(msg[i : i+j+1])
		}
		msg = msg[i+j+1:]
	}
}

// placeholder is the text of one placeholder, ok false for none.
func (e *meshEval) placeholder(p string) (string, bool) {
	switch p {
	case "ns":
		return e.ns.String(), true
	case "nsname":
		return fmt.Sprintf("%q", e.ns.name), true
	case "key":
		return e.key, true
	case "val":
		return fmt.Sprintf("%q", e.val), true
	case "ctr":
		return e.ctr.Name, true
	case "err":
		return fmt.Sprint(e.err), true
	case "sub":
		if e.sub == nil {
			return "", true
		}
		return e.sub.why, true
	}
	src, key, ok := strings.Cut(p, ":")
	if s, known := meshSources[src]; ok && known {
		v, _ := e.read(s, key)
		return fmt.Sprintf("%q", v), true
	}
	return "", false
}

// meshSources name where a placeholder reads a key.
var meshSources = map[string]meshSrc{"pl": srcPodLabel, "pa": srcPodAnn, "nl": srcNsLabel, "na": srcNsAnn}

// read is a pod's or namespace's label or annotation; before the table's
// fallback version a label missing is read from the annotation.
func (e *meshEval) read(src meshSrc, key string) (string, bool) {
	var m map[string]string
	switch src {
	case srcPodLabel:
		m = e.w.Pod.Labels
	case srcPodAnn:
		m = e.w.Pod.Annotations
	case srcNsLabel:
		m = e.ns.labels
	case srcNsAnn:
		m = e.ns.annotations
	}
	v, ok := m[key]
	if fb := e.table.labelFallback; !ok && fb != nil && fb.key == key && e.c.version.Compare(fb.until) < 0 {
		switch src {
		case srcPodLabel:
			v, ok = e.w.Pod.Annotations[key]
		case srcNsLabel:
			v, ok = e.ns.annotations[key]
		}
	}
	return v, ok
}
