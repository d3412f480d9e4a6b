package helm

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

	"github.com/meshgate/meshgate/internal/render"
)

// checkSize refuses a values file larger than max bytes before it is read.
func checkSize(abs, rel string, max int64) *render.Error {
	if max <= 0 {
		return nil
	}
	fi, err := os.Stat(abs)
	if err != nil || fi.Size() <= max {
		return nil
	}
	return &render.Error{Message: fmt.Sprintf("the file is %s, more than limits.maxRenderedBytes (%s)", render.MiB(fi.Size()), render.MiB(max)), File: rel, Limit: true}
}

// measure renders the chart's templates once with Helm's template engine
// alone and refuses a rendering larger than max bytes. Helm's install
// action parses and sorts every rendered document, which costs tens of
// times the rendering's size in memory; measuring first keeps a template
// that writes a huge document from getting that far. Errors are left to
// the install action, which reports them in Helm's words. The chart and
// vals are not changed, so subcharts are not yet enabled or disabled by
// their conditions: the templates of disabled ones count too, which can
// only overestimate.
func (ld *loaded) measure(vals map[string]interface{}, opts chartutil.ReleaseOptions, caps *chartutil.Capabilities, max int64) *render.Error {
	if max <= 0 {
		return nil
	}
	top, err := chartutil.ToRenderValuesWithSchemaValidation(ld.chart, vals, opts, caps, true)
	if err != nil {
		return nil
	}
	// Client-only, without DNS: as the install action renders.
	out, err := engine.Engine{}.Render(ld.chart, top)
	if err != nil {
		return nil
	}
	var total int64
	biggest, biggestSize := "", 0
	for name, text := range out {
		total += int64(len(text))
		if len(text) > biggestSize || len(text) == biggestSize && name < biggest {
			biggest, biggestSize = name, len(text)
		}
	}
	if total <= max {
		return nil
	}
	return &render.Error{
		Message: fmt.Sprintf("the chart renders %s, more than limits.maxRenderedBytes (%s); the largest template renders %s", render.MiB(total), render.MiB(max), render.MiB(int64(biggestSize))),
		File:    ld.fileFor(biggest),
		Limit:   true,
	}
}

// credentialKey matches the keys of values that hold credentials by their
// ending: password, rootPassword, db_passwd, authToken, clientSecret,
// secretAccessKey, apiKey, privateKey, credentials. Keys that name a
// Secret (existingSecret, secretName) or a key in one (passwordKey) do not
// match: their values are names that findings must show.
var credentialKey = regexp.MustCompile(`(?i)(passw(or)?d|passphrase|pwd|token|client[-_]?secret|api[-_]?key|access[-_]?key|private[-_]?key|credentials?)$`)

// credentials collects the string values held under credential-like keys,
// in vals and in the values.yaml of the chart and its subcharts, sorted and
// without repeats.
func credentials(c *chart.Chart, vals map[string]interface{}) []string {
	set := map[string]bool{}
	collectCredentials(vals, false, set)
	var walk func(c *chart.Chart)
	walk = func(c *chart.Chart) {
		collectCredentials(c.Values, false, set)
		for _, d := range c.Dependencies() {
			walk(d)
		}
	}
	walk(c)
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func collectCredentials(v interface{}, credential bool, set map[string]bool) {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, child := range t {
			collectCredentials(child, credentialKey.MatchString(k), set)
		}
	case []interface{}:
		for _, child := range t {
			collectCredentials(child, credential, set)
		}
	case string:
		if credential && len(strings.TrimSpace(t)) >= render.MinRedactLen {
			set[t] = true
		}
	}
}
