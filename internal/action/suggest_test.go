package action

import (
	"fmt"
	"testing"

	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/publish/githubtest"
)

// TestSuggestedChanges: a proven fix whose lines the pull request's diff
// shows in one hunk is a suggested change in the gap's inline comment,
// which then spans those lines; one whose lines are not all in a hunk is
// said in words under the gap instead; advice is said in words.
func TestSuggestedChanges(t *testing.T) {
	srv := prServer(t, githubtest.Options{})
	h := prHarness(t, srv, "opened", prHeadSHA, nil)

	cart := gapCartInjection // line 12 of a new file: every line is in its hunk
	cart.Suggestion = &finding.Suggestion{File: cart.File, StartLine: 11, EndLine: 12,
		Replacement: "      labels:\n        sidecar.istio.io/inject: \"true\"\n", Title: "move sidecar.istio.io/inject to spec.template.metadata.labels"}
	web := newFinding(finding.RuleMeshInjection, finding.SeverityError, "prod", "Deployment", "shop", "web", "", "",
		`namespace "shop" has no istio-injection label`, "charts/shop/templates/web.yaml", 11) // added; its hunk shows lines 8 to 14
	web.Suggestion = &finding.Suggestion{File: web.File, StartLine: 11, EndLine: 11,
		Replacement: "        sidecar.istio.io/inject: \"true\"\n        ```\n", Title: "a replacement with a fence"}
	env := newFinding(finding.RuleMeshEnv, finding.SeverityError, "prod", "Deployment", "shop", "web", "sidecar", "ISTIO_META_REQUEST_ID",
		`container "sidecar" does not set env ISTIO_META_REQUEST_ID`, "charts/shop/templates/web.yaml", 11)
	env.Suggestion = &finding.Suggestion{File: env.File, StartLine: 14, EndLine: 15, // 15 is outside the hunk
		Replacement: "         foo: bar\n          env: []\n", Title: "add env ISTIO_META_REQUEST_ID to container sidecar"}
	secret := gapCartSecret
	secret.Advice = `no suggested change: the edit that closes this gap (read key "pass") makes secret-key-missing appear in staging`

	h.run(reportOf(envs, cart, secret, web, env))

	inline := srv.ReviewComments(prNumber)
	var spans []string
	for _, c := range inline {
		spans = append(spans, spanOf(c))
	}
	want := []string{
		"charts/shop/templates/cart.yaml:11-12",
		"charts/shop/templates/cart.yaml:30",
		"charts/shop/templates/web.yaml:11",
		"charts/shop/templates/web.yaml:11",
	}
	if len(spans) != len(want) {
		t.Fatalf("inline comments %v, want %v", spans, want)
	}
	for i := range want {
		if spans[i] != want[i] {
			t.Errorf("inline comment %d on %s, want %s", i, spans[i], want[i])
		}
	}
	for i, name := range []string{"suggest.cart-11.md", "suggest.cart-30.md", "suggest.web-11-words.md", "suggest.web-11.md"} {
		golden(t, name, inline[i].Body)
	}
}

func spanOf(c githubtest.ReviewComment) string {
	if c.StartLine > 0 {
		return fmt.Sprintf("%s:%d-%d", c.Path, c.StartLine, c.Line)
	}
	return fmt.Sprintf("%s:%d", c.Path, c.Line)
}
