// Package helm renders a Helm chart exactly like `helm template` does, through
// the Helm SDK, client-only: nothing is downloaded and no cluster is reached.
package helm

import (
	"context"
	"fmt"
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/render"
)

// Renderer renders config.Helm environments.
type Renderer struct{}

var _ render.Renderer = Renderer{}

// Render renders env like
//
//	helm template RELEASE CHART --namespace NS --include-crds --skip-tests \
//	  --kube-version KV --api-versions ... -f VALUES... -f INLINE... \
//	  --set K=V... --set-string K=V...
//
// run from root, minus the test hooks always and the other hooks when
// env.Helm.IncludeHooks is false, and without --include-crds when
// env.Helm.SkipCRDs is set. INLINE are the values documents of a GitOps
// object (env.Helm.Inline). Non-vendored file:// dependencies are
// attached as `helm dependency build` would. A failure is returned in
// Result.Err with every path relative to root.
func (Renderer) Render(ctx context.Context, root string, env config.Environment, opts render.Options) render.Result {
	return render.Run(ctx, "helm", "rendering the chart", root, env, func(res render.Result) render.Result {
		res = renderChart(ctx, root, env.Helm, res, opts)
		if res.Err != nil {
			// A template may quote a value in a fail or required message.
			res.Err.Message = render.Redacted(res.Err.Message, res.Redact)
		}
		return res
	})
}

// renderChart follows the order of `helm template`: the chart path, then
// the values, then loading the chart and its dependencies, then rendering.
func renderChart(ctx context.Context, root string, h *config.Helm, res render.Result, opts render.Options) render.Result {
	p := newPaths(root)
	chartAbs, rerr := p.existing(h.Chart, "chart")
	if rerr != nil {
		res.Err = rerr
		return res
	}
	vals, warnings, rerr := mergeValues(p, h, opts.MaxBytes)
	res.Warnings = warnings
	if rerr != nil {
		res.Err = rerr
		return res
	}
	kubeVersion := h.KubeVersion
	if kubeVersion == "" {
		kubeVersion = config.DefaultKubeVersion
	}
	kv, err := chartutil.ParseKubeVersion(kubeVersion)
	if err != nil {
		res.Err = &render.Error{Message: fmt.Sprintf("invalid kube version '%s': %s", kubeVersion, err)}
		return res
	}
	ld, rerr := loadChart(p, h.Chart, chartAbs)
	if rerr != nil {
		res.Err = rerr
		return res
	}
	res.Sources = ld.sources
	if len(h.ChartValues) > 0 {
		cv, rerr := chartValues(p, h, opts.MaxBytes)
		if rerr != nil {
			res.Err = rerr
			return res
		}
		ld.chart.Values = cv
	}
	res.Redact = append(res.Redact, credentials(ld.chart, vals)...)
	chrt := ld.chart

	client := action.NewInstall(&action.Configuration{Log: func(string, ...interface{}) {}})
	client.DryRun = true
	client.DryRunOption = "true"
	client.ClientOnly = true
	client.Replace = true
	client.IncludeCRDs = !h.SkipCRDs
	client.ReleaseName = h.Release
	if client.ReleaseName == "" {
		client.ReleaseName = chrt.Name()
	}
	client.Namespace = res.DefaultNamespace
	client.KubeVersion = kv
	client.APIVersions = chartutil.VersionSet(h.APIVersions)
	// client.PostRenderer stays nil and the engine gets no cluster
	// configuration, so `lookup` answers empty as in `helm template`.

	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = *kv
	caps.APIVersions = append(caps.APIVersions, h.APIVersions...)
	relOpts := chartutil.ReleaseOptions{Name: client.ReleaseName, Namespace: client.Namespace, Revision: 1, IsInstall: true}
	if rerr := ld.measure(vals, relOpts, caps, opts.MaxBytes); rerr != nil {
		res.Err = rerr
		return res
	}
	rel, err := client.RunWithContext(ctx, chrt, vals)
	if err != nil {
		res.Err = ld.renderError(err)
		return res
	}
	includeHooks := h.IncludeHooks == nil || *h.IncludeHooks
	res.Docs = splitDocs(rel.Manifest, ld.fileFor, nil)
	for _, hk := range rel.Hooks {
		if isTestHook(hk) || !includeHooks {
			continue
		}
		res.Docs = splitDocs("---\n# Source: "+hk.Path+"\n"+hk.Manifest, ld.fileFor, res.Docs)
	}
	return res
}

// isTestHook is true for `helm.sh/hook: test` (and Helm 2's test-success):
// tests run against a live release and are never deployed.
func isTestHook(h *release.Hook) bool {
	for _, e := range h.Events {
		if e == release.HookTest {
			return true
		}
	}
	return false
}

// splitDocs appends the documents of a `helm template` stream to docs. Each
// "# Source: NAME" line after a separator names the template of the
// documents up to the next one; a CRD file holds several documents under
// one Source line.
func splitDocs(stream string, fileFor func(string) string, docs []render.Doc) []render.Doc {
	var source string
	var cur []string
	flush := func() {
		if y := normalizeDoc(cur); y != "" {
			docs = append(docs, render.Doc{YAML: []byte(y), File: fileFor(source)})
		}
		cur = cur[:0]
	}
	afterSep := false
	for _, line := range strings.Split(stream, "\n") {
		if isSeparator(line) {
			flush()
			afterSep = true
			continue
		}
		if afterSep && strings.HasPrefix(line, sourcePrefix) {
			source = strings.TrimSpace(strings.TrimPrefix(line, sourcePrefix))
			afterSep = false
			continue
		}
		afterSep = false
		cur = append(cur, line)
	}
	flush()
	return docs
}

const sourcePrefix = "# Source: "

// isSeparator reports a YAML document start marker line.
func isSeparator(line string) bool {
	if !strings.HasPrefix(line, "---") {
		return false
	}
	rest := line[3:]
	return rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r'
}

// normalizeDoc joins a document's lines without the blank lines around it;
// "" when nothing is left.
func normalizeDoc(lines []string) string {
	start := 0
	for start < len(lines) && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	text := strings.TrimRight(strings.Join(lines[start:], "\n"), " \t\r\n")
	if text == "" {
		return ""
	}
	return text + "\n"
}
