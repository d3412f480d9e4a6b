package publish

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// scripted answers requests with canned responses, in order.
type scripted struct {
	answers []func() (*http.Response, error)
	calls   int
	bodies  []string
}

func (s *scripted) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		s.bodies = append(s.bodies, string(b))
	}
	a := s.answers[min(s.calls, len(s.answers)-1)]
	s.calls++
	return a()
}

func answer(status int, header map[string]string, body string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		h := http.Header{}
		for k, v := range header {
			h.Set(k, v)
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}, nil
	}
}

func broken() (*http.Response, error) { return nil, errors.New("connection reset by peer") }

func TestRetryTransport(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	secondary := `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	ok := answer(200, nil, `{}`)
	for _, tc := range []struct {
		name       string
		method     string
		noRepeat   bool
		answers    []func() (*http.Response, error)
		wantCalls  int
		wantStatus int // 0: an error
		wantSleeps []time.Duration
	}{
		{"GET 502 then OK", "GET", false, []func() (*http.Response, error){answer(502, nil, ""), answer(503, nil, ""), ok},
			3, 200, []time.Duration{time.Second, 2 * time.Second}},
		{"GET gives up after five attempts", "GET", false, []func() (*http.Response, error){answer(500, nil, "")},
			5, 500, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{"GET broken connection", "GET", false, []func() (*http.Response, error){broken, ok},
			2, 200, []time.Duration{time.Second}},
		{"POST 502 is not repeated", "POST", false, []func() (*http.Response, error){answer(502, nil, ""), ok},
			1, 502, nil},
		{"POST broken connection is not repeated", "POST", false, []func() (*http.Response, error){broken, ok},
			1, 0, nil},
		{"PATCH marked non-repeatable", "PATCH", true, []func() (*http.Response, error){answer(502, nil, ""), ok},
			1, 502, nil},
		{"PATCH 502 repeated", "PATCH", false, []func() (*http.Response, error){answer(502, nil, ""), ok},
			2, 200, []time.Duration{time.Second}},
		{"POST secondary rate limit with Retry-After", "POST", false,
			[]func() (*http.Response, error){answer(403, map[string]string{"Retry-After": "9"}, secondary), ok},
			2, 200, []time.Duration{9 * time.Second}},
		{"POST secondary rate limit by message", "POST", false,
			[]func() (*http.Response, error){answer(403, nil, secondary), answer(403, nil, secondary), ok},
			3, 200, []time.Duration{time.Second, 2 * time.Second}},
		{"429 with an HTTP date", "GET", false,
			[]func() (*http.Response, error){answer(429, map[string]string{"Retry-After": now.Add(30 * time.Second).Format(http.TimeFormat)}, ""), ok},
			2, 200, []time.Duration{30 * time.Second}},
		{"Retry-After beyond the cap is not waited for", "GET", false,
			[]func() (*http.Response, error){answer(429, map[string]string{"Retry-After": "600"}, ""), ok},
			1, 429, nil},
		{"primary rate limit resetting soon", "GET", false,
			[]func() (*http.Response, error){answer(403, map[string]string{"X-RateLimit-Remaining": "0",
				"X-RateLimit-Reset": "1735787065"}, `{"message":"API rate limit exceeded"}`), ok},
			2, 200, []time.Duration{20 * time.Second}},
		{"read-only token is not retried", "POST", false,
			[]func() (*http.Response, error){answer(403, nil, `{"message":"Resource not accessible by integration"}`), ok},
			1, 403, nil},
		{"404 is not retried", "GET", false, []func() (*http.Response, error){answer(404, nil, ""), ok}, 1, 404, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &scripted{answers: tc.answers}
			var sleeps []time.Duration
			rt := &retryTransport{base: s, now: func() time.Time { return now },
				jitter: func(time.Duration) time.Duration { return 0 },
				sleep: func(_ context.Context, d time.Duration) error {
					sleeps = append(sleeps, d)
					return nil
				}}
			ctx := context.Background()
			if tc.noRepeat {
				ctx = withoutAmbiguousRetry(ctx)
			}
			req, err := http.NewRequestWithContext(ctx, tc.method, "https://api.github.com/repos/o/r/x", strings.NewReader(`{"body":"x"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := rt.RoundTrip(req)
			status := 0
			if err == nil {
				status = resp.StatusCode
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if status == 403 && !strings.Contains(string(body), "message") {
					t.Errorf("the 403 body was not put back: %q", body)
				}
			}
			if s.calls != tc.wantCalls || status != tc.wantStatus || !reflect.DeepEqual(sleeps, tc.wantSleeps) {
				t.Errorf("calls %d status %d sleeps %v; want %d %d %v", s.calls, status, sleeps, tc.wantCalls, tc.wantStatus, tc.wantSleeps)
			}
			for i, b := range s.bodies {
				if b != `{"body":"x"}` {
					t.Errorf("attempt %d sent body %q", i+1, b)
				}
			}
		})
	}
}
