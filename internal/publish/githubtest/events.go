package githubtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// webhookExamples are WebhooksPackage's example payloads by event name,
// read once per test binary.
var webhookExamples = sync.OnceValues(func() (map[string][]map[string]any, error) {
	file, err := npmFile(WebhooksPackage, "api.github.com", "index.json")
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var list []struct {
		Name     string            `json:"name"`
		Examples []json.RawMessage `json:"examples"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	examples := map[string][]map[string]any{}
	for _, e := range list {
		for _, raw := range e.Examples {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("%s: %s example: %w", file, e.Name, err)
			}
			examples[e.Name] = append(examples[e.Name], m)
		}
	}
	return examples, nil
})

// WebhookExample returns a copy of the first example payload of event with
// the given action ("" for events without actions, such as push) from
// WebhooksPackage: real payloads GitHub sent.
func WebhookExample(event, action string) (map[string]any, error) {
	examples, err := webhookExamples()
	if err != nil {
		return nil, err
	}
	for _, m := range examples[event] {
		if a, _ := m["action"].(string); a == action {
			return deepCopy(m), nil
		}
	}
	return nil, fmt.Errorf("%s has no %s example with action %q", WebhooksPackage, event, action)
}

func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// EventFile writes the example payload of event/action, changed by edit
// when not nil, to a file in t's temporary folder, for GITHUB_EVENT_PATH.
func EventFile(t testing.TB, event, action string, edit func(payload map[string]any)) string {
	t.Helper()
	m, err := WebhookExample(event, action)
	if err != nil {
		t.Fatalf("githubtest: %v", err)
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatalf("githubtest: %v", err)
	}
	file := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatalf("githubtest: %v", err)
	}
	return file
}

// Set sets the value at a dotted path of a payload, creating objects on the
// way: Set(p, "pull_request.head.repo.full_name", "fork/repo").
func Set(payload map[string]any, path string, value any) {
	cur := payload
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[parts[len(parts)-1]] = value
}
