package check

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/manifest"
)

// The tables of docs/mesh-providers.md are generated from the tables the
// interpreter reads, so that docs and code cannot drift: TestMeshTablesDoc
// fails when a generated block differs, and -update rewrites it.

const meshDocFile = "../../docs/mesh-providers.md"

// TestMeshTablesDoc holds every generated block of docs/mesh-providers.md
// (each provider's table, and the native sidecar gates) to the code.
func TestMeshTablesDoc(t *testing.T) {
	data, err := os.ReadFile(meshDocFile)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	blocks := map[string]string{"native-sidecars": meshGatesDoc()}
	for _, p := range Providers {
		if p.table != nil {
			blocks["table "+p.Name] = meshTableDoc(p.table)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(blocks)) {
		begin, end := "<!-- generated: "+name+" -->\n", "<!-- end generated: "+name+" -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Errorf("%s has no block %q...%q", meshDocFile, begin, end)
			continue
		}
		if got := doc[i+len(begin) : j]; got != blocks[name] {
			if !*update {
				t.Errorf("%s: block %q differs from the code (run go test ./internal/check -run TestMeshTablesDoc -update):\n%s", meshDocFile, name, blocks[name])
			}
			doc = doc[:i+len(begin)] + blocks[name] + doc[j:]
		}
	}
	if *update {
		if err := os.WriteFile(meshDocFile, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// meshTableDoc is a provider's table in markdown: one table per step.
func meshTableDoc(t *meshTable) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Generated from `internal/check/mesh_tables.go`. Modelled at %s; sources are paths in that repository at that release unless a row names another. Read each step top down: the first row whose cells all hold decides, or sends the pod on (→). An empty cell holds always.", t.upstream)
	if fb := t.labelFallback; fb != nil {
		fmt.Fprintf(&b, " Before %s %s, the annotation `%s` counts where the label is absent.", t.provider, meshDocVersion(fb.until), fb.key)
	}
	b.WriteString("\n")
	n := 0
	for i, s := range t.steps {
		fmt.Fprintf(&b, "\n**Step %d: %s.**\n\n| # | namespace | pod template | installation, version | result | source |\n|---|---|---|---|---|---|\n", i+1, s.name)
		for _, r := range s.rows {
			n++
			var cols [3][]string
			for _, c := range r.when {
				col, text := meshCondDoc(t, c)
				cols[col] = append(cols[col], text)
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", n, strings.Join(cols[0], "; "), strings.Join(cols[1], "; "), strings.Join(cols[2], "; "),
				meshResultDoc(t, i, r), r.cite)
		}
	}
	return b.String()
}

// Columns of a condition.
const (
	meshColNamespace = iota
	meshColPod
	meshColInstall
)

// meshCondDoc says a condition in words, and in which column.
func meshCondDoc(t *meshTable, c meshCond) (int, string) {
	switch c.op {
	case opExists, opAbsent, opIn, opNotIn:
		return meshKeyDoc(c)
	case opHostNetwork:
		return meshColPod, "`hostNetwork: true`"
	case opAutomountOff:
		return meshColPod, "`automountServiceAccountToken: false`"
	case opNsNamed:
		return meshColNamespace, meshDocList(c.vals, "`%s`", ", ")
	case opNsInList:
		return meshColNamespace, "in `mesh.install." + c.key + "`"
	case opNsNotInList:
		return meshColNamespace, "not in `mesh.install." + c.key + "`"
	case opNsControlPlane:
		return meshColNamespace, "the control plane's (`mesh.install.controlPlaneNamespace`, default `" + meshKumaControlPlaneNamespace + "`)"
	case opNsRendered:
		return meshColNamespace, "rendered"
	case opContainer:
		return meshColPod, meshContainerDoc(c)
	case opAppRunsAs:
		return meshColPod, fmt.Sprintf("an app container with `securityContext.runAsUser: %d`", c.uid)
	case opInstall:
		return meshColInstall, meshInstallDoc(c)
	case opSelector:
		return meshColPod, "labels matching `mesh.install." + c.key + "`"
	case opExceptionLabel:
		return meshColPod, "a label of `mesh.install.exceptionLabels` (default " + meshDocList(meshSortedPairs(meshKumaDefaultExceptions), "`%s`", ", ") + ")"
	case opIstioInvalid:
		return meshColPod, "an annotation istio validates, with an invalid value (listed below)"
	case opSince:
		return meshColInstall, t.provider + " ≥ " + meshDocVersion(c.version)
	case opBefore:
		return meshColInstall, t.provider + " < " + meshDocVersion(c.version)
	case opSub:
		return meshColPod, "the `" + c.table.provider + "` table injects or rejects it"
	}
	return meshCompositeDoc(t, c)
}

// meshCompositeDoc says any and all, in their first kid's column.
func meshCompositeDoc(t *meshTable, c meshCond) (int, string) {
	var parts []string
	col := meshColPod
	for i, k := range c.kids {
		kc, text := meshCondDoc(t, k)
		if i == 0 {
			col = kc
		}
		parts = append(parts, text)
	}
	switch c.op {
	case opAny:
		return col, strings.Join(parts, ", or ")
	case opAll:
		return col, "(" + strings.Join(parts, " and ") + ")"
	}
	return col, "the verdict of the sub table was an opt-out"
}

// meshKeyDoc says a label or annotation test.
func meshKeyDoc(c meshCond) (int, string) {
	col, kind := meshColPod, "label"
	if c.src == srcNsLabel || c.src == srcNsAnn {
		col = meshColNamespace
	}
	if c.src == srcPodAnn || c.src == srcNsAnn {
		kind = "annotation"
	}
	switch {
	case c.op == opExists:
		return col, fmt.Sprintf("%s `%s`", kind, c.key)
	case c.op == opAbsent:
		return col, fmt.Sprintf("no %s `%s`", kind, c.key)
	case c.op == opIn && len(c.vals) == 1:
		return col, fmt.Sprintf("%s `%s: %s`", kind, c.key, meshDocValue(c.vals[0]))
	case c.op == opIn:
		return col, fmt.Sprintf("%s `%s` %s", kind, c.key, meshDocValues(c.vals))
	}
	switch {
	case len(c.vals) == 1 && c.vals[0] == "":
		return col, fmt.Sprintf("%s `%s`, not empty", kind, c.key)
	case len(c.vals) == 1:
		return col, fmt.Sprintf("%s `%s` other than `%s`", kind, c.key, meshDocValue(c.vals[0]))
	}
	return col, fmt.Sprintf("%s `%s` not %s", kind, c.key, meshDocValues(c.vals))
}

// meshDocValues names a list of values; the lists of strconv.ParseBool by
// what they are.
func meshDocValues(vals []string) string {
	switch {
	case slices.Equal(vals, meshBools):
		return "a boolean (`strconv.ParseBool`)"
	case slices.Equal(vals, append([]string{""}, meshBools...)):
		return "empty or a boolean (`strconv.ParseBool`)"
	case slices.Equal(vals, meshBoolTrue), slices.Equal(vals, meshBoolFalse):
		return "one of " + meshDocList(vals, "`%s`", ", ") + " (`strconv.ParseBool`)"
	}
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = meshDocValue(v)
	}
	return "one of " + meshDocList(q, "`%s`", ", ")
}

// meshDocValue quotes a value YAML would not read as a string.
func meshDocValue(v string) string {
	switch strings.ToLower(v) {
	case "", "true", "false", "yes", "no", "on", "off", "1", "0", "*":
		return fmt.Sprintf("%q", v)
	}
	return v
}

func meshDocList(vals []string, format, sep string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmt.Sprintf(format, v)
	}
	return strings.Join(out, sep)
}

func meshSortedPairs(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+": "+meshDocValue(v))
	}
	slices.Sort(out)
	return out
}

// meshContainerDoc says a container condition.
func meshContainerDoc(c meshCond) string {
	kind := "a container (app or init)"
	if slices.Equal(c.types, meshInitOnly) {
		kind = "an init container"
	}
	if len(c.vals) > 0 {
		return kind + " named " + meshDocList(c.vals, "`%s`", " or ")
	}
	return kind + " whose image starts with " + meshDocList(c.images, "`%s`", " or ")
}

// meshInstallDoc says an installation setting's test.
func meshInstallDoc(c meshCond) string {
	field := "mesh.install." + c.key
	if c.key == meshSettingInjectByDefault {
		field = "mesh.injectByDefault"
	}
	if slices.Equal(c.vals, []string{"set"}) {
		return "`" + field + "` set"
	}
	return "`" + field + ": " + strings.Join(c.vals, "|") + "`"
}

// meshResultDoc says what a row decides.
func meshResultDoc(t *meshTable, step int, r meshRow) string {
	var out string
	switch r.out {
	case outNext:
		to := step + 2
		if r.goTo != "" {
			to = slices.IndexFunc(t.steps, func(s meshStep) bool { return s.name == r.goTo }) + 1
		}
		out = fmt.Sprintf("→ step %d", to)
	case outMeshed:
		out = "**injected**"
	case outAmbient:
		out = "**meshed** (ambient)"
	case outManual:
		out = "**meshed** as rendered"
	case outNot:
		out = "not injected"
		if len(r.optOutIf) > 0 {
			out += " (an **opt-out** when the sidecar table's verdict was one)"
		}
	case outOptOut:
		out = "not injected (**opt-out**)"
	case outRejected:
		out = "**rejected**: the pod is not created (error)"
	case outSub:
		out = "that verdict"
	}
	if r.doc != "" {
		out += ": " + r.doc
	}
	return out
}

// meshDocVersion spells a version for the docs: 2.11, edge-21.11.1.
func meshDocVersion(v config.MeshVersion) string {
	if v.Edge {
		return v.String()
	}
	if v.Patch == 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// meshGatesDoc is the native sidecar gates in markdown.
func meshGatesDoc() string {
	var b strings.Builder
	b.WriteString("| provider, version | default | per-pod switch | source |\n|---|---|---|---|\n")
	for _, p := range Providers {
		gates, ok := meshNativeGates[p.Name]
		if !ok {
			continue
		}
		for i, g := range gates {
			fmt.Fprintf(&b, "| %s %s | %s | %s | %s |\n", p.Name, meshGateRange(gates, i), meshGateDefault(g), meshGateSwitch(g), g.cite)
		}
	}
	return b.String()
}

// meshGateRange is the releases a gate covers.
func meshGateRange(gates []meshNativeGate, i int) string {
	switch {
	case len(gates) == 1:
		return "(every release)"
	case i == 0:
		return "< " + meshDocVersion(gates[1].since)
	case i == len(gates)-1:
		return "≥ " + meshDocVersion(gates[i].since)
	}
	return meshDocVersion(gates[i].since) + " – < " + meshDocVersion(gates[i+1].since)
}

func meshGateDefault(g meshNativeGate) string {
	out := map[string]string{config.NativeTrue: "native", config.NativeFalse: "classic",
		config.NativeAuto: "native where the nodes run Kubernetes ≥ 1.33, else classic"}[g.def]
	if g.none {
		out += " (no native sidecars at all: `mesh.install.nativeSidecars` changes nothing)"
	}
	if g.minKube > 0 {
		out += fmt.Sprintf("; classic whatever the settings where the nodes run Kubernetes < 1.%d", g.minKube)
	}
	return out + "; advice: " + g.advice
}

func meshGateSwitch(g meshNativeGate) string {
	if len(g.keys) == 0 {
		return "none"
	}
	out := meshDocList(g.keys, "`%s`", ", else ")
	if g.anyButFalse {
		return out + `: any value but "false" is native`
	}
	return out + ": a value `strconv.ParseBool` reads as true is native"
}

// TestMeshTables: every row is well formed: a unique id, an upstream
// file and line, a message for what is not meshed and only known
// placeholders, a step to go to that exists; each table ends with a row
// that always holds.
func TestMeshTables(t *testing.T) {
	cite := regexp.MustCompile(`\.(go|yaml|md):[0-9]+`)
	placeholder := regexp.MustCompile(`\{([^}]*)\}`)
	e := &meshEval{w: &manifest.Workload{}, table: &meshTable{}}
	for _, p := range Providers {
		if p.table == nil {
			continue
		}
		ids := map[string]bool{}
		for _, s := range p.table.steps {
			for _, r := range s.rows {
				name := p.Name + "/" + r.id
				if ids[r.id] || r.id == "" {
					t.Errorf("%s: id empty or not unique", name)
				}
				ids[r.id] = true
				if !cite.MatchString(r.cite) {
					t.Errorf("%s: cite %q names no upstream file and line", name, r.cite)
				}
				if r.doc == "" {
					t.Errorf("%s: no doc", name)
				}
				unmeshed := r.out == outNot || r.out == outOptOut || r.out == outRejected
				if unmeshed != (r.msg != "") {
					t.Errorf("%s: outcome %d with message %q", name, r.out, r.msg)
				}
				texts := []string{r.msg}
				for _, h := range r.hints {
					texts = append(texts, h.text)
				}
				for _, m := range placeholder.FindAllStringSubmatch(strings.Join(texts, ""), -1) {
					if _, ok := e.placeholder(m[1]); !ok {
						t.Errorf("%s: unknown placeholder {%s}", name, m[1])
					}
				}
				if r.goTo != "" && !slices.ContainsFunc(p.table.steps, func(s meshStep) bool { return s.name == r.goTo }) {
					t.Errorf("%s: goTo %q names no step", name, r.goTo)
				}
			}
		}
		last := p.table.steps[len(p.table.steps)-1].rows
		if r := last[len(last)-1]; len(r.when) > 0 || r.out == outNext {
			t.Errorf("%s: the last row %s must hold always and decide", p.Name, r.id)
		}
	}
}
