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

var (
	webhooksOnce sync.Once
	webhooks     map[string][]map[string]any
	webhooksErr  error
)

// WebhookExample returns a copy of the first example payload of event with
// the given action ("" for events without actions, such as push) from
// WebhooksPackage: real payloads GitHub sent.
func WebhookExample(event, action string) (map[string]any, error) {
	webhooksOnce.Do(func() {
		dir, err := NPMPackage(WebhooksPackage)
		if err != nil {
			webhooksErr = err
			return
		}
		file := filepath.Join(dir, "api.github.com", "index.json")
		b, err := os.ReadFile(file)
		if err != nil {
			webhooksErr = err
			return
		}
		var list []struct {
			Name     string            `json:"name"`
			Examples []json.RawMessage `json:"examples"`
		}
		if err := json.Unmarshal(b, &list); err != nil {
			webhooksErr = fmt.Errorf("%s: %w", file, err)
			return
		}
		webhooks = map[string][]map[string]any{}
		for _, e := range list {
			for _, raw := range e.Examples {
				var m map[string]any
				if err := json.Unmarshal(raw, &m); err != nil {
					webhooksErr = fmt.Errorf("%s: %s example: %w", file, e.Name, err)
					return
				}
				webhooks[e.Name] = append(webhooks[e.Name], m)
			}
		}
	})
	if webhooksErr != nil {
		return nil, webhooksErr
	}
	for _, m := range webhooks[event] {
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
