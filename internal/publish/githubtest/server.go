// Package githubtest is a fake GitHub REST API for tests. It validates every
// request against GitHub's own OpenAPI description (npm @octokit/openapi),
// keeps the state the publisher touches (check runs, issue comments, reviews
// and review comments, pull request files, repository archives), answers with bodies shaped from
// the description's examples (and validated against its response schemas),
// records every request, and can inject faults. A request that does not
// validate, that the fake does not expect, or that carries the wrong token
// fails the test.
package githubtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// GitHub's limits the fake enforces beyond the schema (the REST API answers
// 422 "Body is too long (maximum is 65536 characters)").
const maxCommentBody = 65536

// Token is the token the fake expects unless Options.Token says otherwise.
const Token = "ghs_fakeTokenForTests0123456789"

// Options shape a Server.
type Options struct {
	Owner, Repo string // default octo-org/octo-repo
	Token       string // expected bearer token; default Token
	// PathPrefix mounts the API under a path, as GitHub Enterprise Server
	// does ("/api/v3").
	PathPrefix string
	// MaxPerPage caps per_page below GitHub's 100 so tests exercise
	// pagination with few objects.
	MaxPerPage int
	// Bot is the login the fake gives the token's author.
	Bot string
	// MaxCommentBody is the longest comment body, in characters, the fake
	// takes before it answers 422 "Body is too long" (GitHub's 65,536
	// when 0): a lower one tests what the publisher does with the answer.
	MaxCommentBody int
}

// Server is the fake API. Its exported methods are safe for concurrent use.
type Server struct {
	// URL is what GITHUB_API_URL should be set to.
	URL string

	t    testing.TB
	spec *Spec
	srv  *httptest.Server
	opts Options

	mu             sync.Mutex
	nextID         int64
	checkRuns      []*CheckRun
	issueComments  []*IssueComment
	reviews        []*Review
	reviewComments []*ReviewComment
	pulls          []*PullRequest
	requests       []Request
	faults         []*Fault
	archives       map[string][]byte // tarballs by ref (AddArchive)
	now            time.Time
	curPath        string // path of the request being handled, for Link headers
}

// CheckRun is a check run as the fake holds it.
type CheckRun struct {
	ID                                    int64
	Name, HeadSHA, ExternalID, DetailsURL string
	Status, Conclusion                    string
	StartedAt, CompletedAt                string
	Title, Summary, Text                  string
	Annotations                           []Annotation
	Updates                               int // PATCH requests that succeeded
	AnnotationsPerUpdate                  []int
}

// Annotation is one check run annotation; the tags are the API's, so that
// a request's annotations decode into it.
type Annotation struct {
	Path       string `json:"path"`
	StartLine  int    `json:"start_line"`
	EndLine    int    `json:"end_line"`
	Level      string `json:"annotation_level"`
	Title      string `json:"title"`
	Message    string `json:"message"`
	RawDetails string `json:"raw_details"`
}

// IssueComment is a comment on an issue or pull request conversation.
type IssueComment struct {
	ID        int64
	Issue     int
	Body      string
	User      string
	Edits     int
	CreatedAt string
	UpdatedAt string
}

// Review is a pull request review.
type Review struct {
	ID       int64
	PR       int
	CommitID string
	Event    string
	Body     string
}

// ReviewComment is an inline comment on a pull request's diff; a
// multi-line one spans StartLine..Line (StartLine 0 for one line).
type ReviewComment struct {
	ID        int64
	ReviewID  int64
	PR        int
	Path      string
	StartLine int
	Line      int
	Side      string
	CommitID  string
	Body      string
	User      string
	Edits     int
}

// PullRequest is the part of a pull request the fake knows.
type PullRequest struct {
	Number           int
	HeadSHA, HeadRef string
	HeadOwner        string // login owning the head repository (a fork's owner)
	BaseSHA          string
	State            string // open by default
	Files            []File
}

// File is one file of a pull request with its unified diff patch.
type File struct {
	Filename string
	Status   string // added, modified, removed, renamed
	Patch    string
}

// Request is one request the fake received.
type Request struct {
	Method      string
	Path        string // without the PathPrefix
	Query       string
	OperationID string
	Body        []byte
	Status      int // the status the fake answered
	Header      http.Header
}

// Fault makes the fake answer matching requests with an error instead of
// (or, with Apply, after) doing what they ask.
type Fault struct {
	// Operation is an operationId of the description ("checks/update");
	// empty matches every operation.
	Operation string
	// Writes limits the fault to requests that are not GET.
	Writes bool
	// Times is how many matching requests get the fault; 0 means all.
	Times  int
	Status int
	// RetryAfter, when set, is sent as the Retry-After header (seconds).
	RetryAfter string
	// Message is the JSON error message; a status text when empty.
	Message string
	// DocumentationURL of the error body.
	DocumentationURL string
	// Apply performs the request before answering the fault: a write that
	// landed although the client saw an error (a 502 from a proxy).
	Apply bool

	hits int
}

// Secondary rate limit errors as GitHub sends them today: 403 with
// Retry-After and a documentation_url that go-github v56 does not know.
const (
	SecondaryRateLimitMessage = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000."
	SecondaryRateLimitDocURL  = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	ReadOnlyMessage           = "Resource not accessible by integration"
	ReadOnlyDocURL            = "https://docs.github.com/rest/checks/runs#create-a-check-run"
)

// GitHub's messages for a token it rejects and for what a token may not
// see (it answers 404 rather than admit the object exists).
const (
	BadCredentialsMessage = "Bad credentials"
	NotFoundMessage       = "Not Found"
)

// Answer answers every request of op (every operation when op is empty)
// with status and GitHub's error body carrying message: 401 Bad
// credentials, 404 Not Found, 422 for content GitHub refuses. Set Times on
// the result to limit it to the first requests.
func Answer(op string, status int, message string) Fault {
	return Fault{Operation: op, Status: status, Message: message, DocumentationURL: "https://docs.github.com/rest"}
}

// ReadOnly answers every write with 403, as GitHub does for a fork's token
// or a workflow without checks: write / pull-requests: write.
func ReadOnly() Fault {
	return Fault{Writes: true, Status: http.StatusForbidden, Message: ReadOnlyMessage, DocumentationURL: ReadOnlyDocURL}
}

// SecondaryRateLimit answers the next times requests of op with a secondary
// rate limit error.
func SecondaryRateLimit(op string, times int, retryAfter string) Fault {
	return Fault{Operation: op, Times: times, Status: http.StatusForbidden, RetryAfter: retryAfter,
		Message: SecondaryRateLimitMessage, DocumentationURL: SecondaryRateLimitDocURL}
}

// BadGateway answers the next times requests of op with 502.
func BadGateway(op string, times int) Fault {
	return Fault{Operation: op, Times: times, Status: http.StatusBadGateway, Message: "Server Error"}
}

// NewServer starts a fake API for t and stops it when t ends. It fails t
// when GitHub's description cannot be loaded.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	spec, err := LoadSpec()
	if err != nil {
		t.Fatalf("githubtest: %v", err)
	}
	if opts.Owner == "" {
		opts.Owner = "octo-org"
	}
	if opts.Repo == "" {
		opts.Repo = "octo-repo"
	}
	if opts.Token == "" {
		opts.Token = Token
	}
	if opts.MaxPerPage <= 0 || opts.MaxPerPage > 100 {
		opts.MaxPerPage = 100
	}
	if opts.Bot == "" {
		opts.Bot = "github-actions[bot]"
	}
	opts.PathPrefix = strings.TrimSuffix(opts.PathPrefix, "/")
	s := &Server{t: t, spec: spec, opts: opts, nextID: 1000,
		now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + opts.PathPrefix
	t.Cleanup(s.srv.Close)
	return s
}

// AddPullRequest makes a pull request known to the fake.
func (s *Server) AddPullRequest(pr PullRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pr.State == "" {
		pr.State = "open"
	}
	p := pr
	s.pulls = append(s.pulls, &p)
}

// SetPullRequestHead moves a pull request to a new head (a push to its
// branch), with the files of the new diff.
func (s *Server) SetPullRequestHead(number int, sha string, files []File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pulls {
		if p.Number == number {
			p.HeadSHA = sha
			p.Files = files
		}
	}
}

// AddIssueComment seeds a comment written by someone (not through the API).
func (s *Server) AddIssueComment(issue int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &IssueComment{ID: s.id(), Issue: issue, Body: body, User: user, CreatedAt: s.stamp(), UpdatedAt: s.stamp()}
	s.issueComments = append(s.issueComments, c)
	return c.ID
}

// Inject adds a fault; faults are tried in the order they were added.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ff := f
	s.faults = append(s.faults, &ff)
}

// CheckRuns returns copies of the check runs in creation order.
func (s *Server) CheckRuns() []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CheckRun, 0, len(s.checkRuns))
	for _, c := range s.checkRuns {
		cc := *c
		cc.Annotations = append([]Annotation(nil), c.Annotations...)
		cc.AnnotationsPerUpdate = append([]int(nil), c.AnnotationsPerUpdate...)
		out = append(out, cc)
	}
	return out
}

// IssueComments returns copies of the comments on issue in creation order.
func (s *Server) IssueComments(issue int) []IssueComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copies(s.issueComments, func(c *IssueComment) bool { return c.Issue == issue })
}

// Reviews returns copies of the reviews of pull request pr.
func (s *Server) Reviews(pr int) []Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copies(s.reviews, func(r *Review) bool { return r.PR == pr })
}

// ReviewComments returns copies of the inline comments of pull request pr.
func (s *Server) ReviewComments(pr int) []ReviewComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copies(s.reviewComments, func(c *ReviewComment) bool { return c.PR == pr })
}

// copies returns copies of the objects keep selects, in creation order.
func copies[T any](objs []*T, keep func(*T) bool) []T {
	var out []T
	for _, o := range objs {
		if keep(o) {
			out = append(out, *o)
		}
	}
	return out
}

// Requests returns the recorded requests, all of them when op is empty,
// else those of operation op.
func (s *Server) Requests(op string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if op == "" || r.OperationID == op {
			out = append(out, r)
		}
	}
	return out
}

// Calls counts the requests of operation op ("" for all).
func (s *Server) Calls(op string) int { return len(s.Requests(op)) }

// CallCounts maps each operation to its number of requests, for exact
// assertions on the whole conversation.
func (s *Server) CallCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]int{}
	for _, r := range s.requests {
		m[r.Method+" "+r.OperationID]++
	}
	return m
}

// AssertNotSent fails t when any recorded request (URL, headers other than
// Authorization, body) contains needle.
func (s *Server) AssertNotSent(t testing.TB, needle string) {
	t.Helper()
	for _, r := range s.Requests("") {
		if strings.Contains(string(r.Body), needle) || strings.Contains(r.Path, needle) || strings.Contains(r.Query, needle) {
			t.Errorf("%s %s sent %q", r.Method, r.Path, needle)
		}
		for k, vs := range r.Header {
			if k == "Authorization" {
				continue
			}
			for _, v := range vs {
				if strings.Contains(v, needle) {
					t.Errorf("%s %s sent %q in header %s", r.Method, r.Path, needle, k)
				}
			}
		}
	}
}

func (s *Server) id() int64 {
	s.nextID++
	return s.nextID
}

// stamp is a deterministic clock: every call is one second later.
func (s *Server) stamp() string {
	s.now = s.now.Add(time.Second)
	return s.now.Format(time.RFC3339)
}

// apiError is GitHub's error body.
type apiError struct {
	Message          string `json:"message"`
	DocumentationURL string `json:"documentation_url,omitempty"`
	Status           string `json:"status,omitempty"`
	Errors           []any  `json:"errors,omitempty"`
}

// reply is what a handler answers.
type reply struct {
	status int
	body   any
	header http.Header
	// unchecked skips response validation (injected faults, which GitHub
	// also sends off-schema, such as a proxy's 502).
	unchecked bool
}

func errReply(status int, msg string) reply {
	return reply{status: status, body: apiError{Message: msg, DocumentationURL: "https://docs.github.com/rest", Status: strconv.Itoa(status)}}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("githubtest: read body of %s %s: %v", r.Method, r.URL.Path, err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	path := r.URL.Path
	if strings.HasPrefix(path, codeloadPath) {
		s.serveCodeload(w, r)
		return
	}
	if s.opts.PathPrefix != "" {
		if !strings.HasPrefix(path, s.opts.PathPrefix+"/") {
			s.t.Errorf("githubtest: %s %s is outside the API prefix %s", r.Method, path, s.opts.PathPrefix)
			w.WriteHeader(http.StatusNotFound)
			return
		}
		path = strings.TrimPrefix(path, s.opts.PathPrefix)
	}
	rec := Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: body, Header: r.Header.Clone()}

	ctx := context.Background()
	v, verr := s.spec.validateRequest(ctx, r, path, body)
	if verr != nil {
		s.t.Errorf("githubtest: %s %s?%s does not validate against GitHub's API description: %v\nbody: %s", r.Method, path, r.URL.RawQuery, verr, truncate(body))
		s.write(w, &rec, nil, errReply(http.StatusUnprocessableEntity, "request does not validate: "+verr.Error()))
		return
	}
	rec.OperationID = v.route.Operation.OperationID

	if got, want := r.Header.Get("Authorization"), "Bearer "+s.opts.Token; got != want && got != "token "+s.opts.Token {
		s.t.Errorf("githubtest: %s %s: Authorization header is not the expected token", r.Method, path)
		s.write(w, &rec, v, errReply(http.StatusUnauthorized, BadCredentialsMessage))
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "html") {
		s.t.Errorf("githubtest: %s %s: unexpected Accept %q", r.Method, path, r.Header.Get("Accept"))
	}

	s.mu.Lock()
	fault := s.fault(rec.OperationID, r.Method)
	var rep reply
	s.curPath = path
	if fault == nil || fault.Apply {
		rep = s.handle(rec.OperationID, v.params, r.URL.Query(), body)
	}
	s.mu.Unlock()

	if fault != nil {
		h := http.Header{}
		if fault.RetryAfter != "" {
			h.Set("Retry-After", fault.RetryAfter)
		}
		msg := fault.Message
		if msg == "" {
			msg = http.StatusText(fault.Status)
		}
		rep = reply{status: fault.Status, header: h, unchecked: true,
			body: apiError{Message: msg, DocumentationURL: fault.DocumentationURL, Status: strconv.Itoa(fault.Status)}}
	}
	s.write(w, &rec, v, rep)
}

// fault returns the first fault matching the request and counts its use.
func (s *Server) fault(op, method string) *Fault {
	for _, f := range s.faults {
		if f.Operation != "" && f.Operation != op {
			continue
		}
		if f.Writes && method == http.MethodGet {
			continue
		}
		if f.Times > 0 && f.hits >= f.Times {
			continue
		}
		f.hits++
		return f
	}
	return nil
}

func (s *Server) write(w http.ResponseWriter, rec *Request, v *validated, rep reply) {
	var b []byte
	if rep.body != nil {
		var err error
		b, err = json.Marshal(rep.body)
		if err != nil {
			s.t.Errorf("githubtest: encode answer to %s %s: %v", rec.Method, rec.Path, err)
		}
	}
	h := w.Header()
	for k, vs := range rep.header {
		h[k] = vs
	}
	if b != nil {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	// Plenty of primary quota left, so go-github never holds requests back.
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", "4999")
	h.Set("X-RateLimit-Used", "1")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	if v != nil && !rep.unchecked {
		if err := s.spec.validateResponse(context.Background(), v, rep.status, h, b); err != nil {
			s.t.Errorf("githubtest: the fake's answer %d to %s %s does not validate: %v", rep.status, rec.Method, rec.Path, err)
		}
	}
	rec.Status = rep.status
	s.mu.Lock()
	s.requests = append(s.requests, *rec)
	s.mu.Unlock()
	w.WriteHeader(rep.status)
	if b != nil {
		_, _ = w.Write(b)
	}
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}

// handle performs one validated operation; s.mu is held.
func (s *Server) handle(op string, params map[string]string, q url.Values, body []byte) reply {
	if params["owner"] != s.opts.Owner || params["repo"] != s.opts.Repo {
		s.t.Errorf("githubtest: %s on %s/%s, want %s/%s", op, params["owner"], params["repo"], s.opts.Owner, s.opts.Repo)
		return errReply(http.StatusNotFound, NotFoundMessage)
	}
	do, ok := operations[op]
	if !ok {
		s.t.Errorf("githubtest: unexpected operation %s", op)
		return errReply(http.StatusNotFound, NotFoundMessage)
	}
	return do(s, call{params: params, query: q, body: body})
}

// call is a validated request as an operation sees it.
type call struct {
	params map[string]string // path parameters
	query  url.Values
	body   []byte
}

// operations are the operations the fake implements, by operationId.
var operations = map[string]func(*Server, call) reply{
	"checks/list-for-ref":            (*Server).listCheckRuns,
	"checks/create":                  (*Server).createCheckRun,
	"checks/update":                  (*Server).updateCheckRun,
	"checks/get":                     (*Server).getCheckRun,
	"issues/list-comments":           (*Server).listIssueComments,
	"issues/create-comment":          (*Server).createIssueComment,
	"issues/update-comment":          (*Server).updateIssueComment,
	"pulls/list":                     (*Server).listPulls,
	"pulls/list-files":               onPull((*Server).listFiles),
	"pulls/list-review-comments":     onPull((*Server).listReviewComments),
	"pulls/create-review":            onPull((*Server).createReview),
	"pulls/update-review-comment":    (*Server).updateReviewComment,
	"repos/download-tarball-archive": (*Server).downloadTarball,
}

// onPull runs op on the pull request of the path's pull_number: 404 when
// the fake does not know it.
func onPull(op func(*Server, *PullRequest, call) reply) func(*Server, call) reply {
	return func(s *Server, req call) reply {
		p := byID(s.pulls, req.params["pull_number"], func(p *PullRequest) int64 { return int64(p.Number) })
		if p == nil {
			return errReply(http.StatusNotFound, NotFoundMessage)
		}
		return op(s, p, req)
	}
}

// decode parses a request body; GitHub answers 400 to one that is not JSON.
func decode[T any](body []byte) (T, *reply) {
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		r := errReply(http.StatusBadRequest, "Problems parsing JSON")
		return v, &r
	}
	return v, nil
}

// shape returns the description's example (the first item of a list
// example) with fields replaced; keys are dotted paths.
func (s *Server) shape(example string, set map[string]any) map[string]any {
	v, err := s.spec.example(example)
	if err != nil {
		s.t.Errorf("githubtest: %v", err)
		return map[string]any{}
	}
	if l, ok := v.([]any); ok && len(l) > 0 {
		v = l[0]
	}
	m, ok := v.(map[string]any)
	if !ok {
		s.t.Errorf("githubtest: example %s is not an object", example)
		return map[string]any{}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		Set(m, k, set[k])
	}
	return m
}

func (s *Server) repoAPI() string {
	return "https://api.github.com/repos/" + s.opts.Owner + "/" + s.opts.Repo
}
func (s *Server) repoHTML() string { return "https://github.com/" + s.opts.Owner + "/" + s.opts.Repo }

func nullable(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func (s *Server) checkRunJSON(c *CheckRun) map[string]any {
	return s.shape("check-run", map[string]any{
		"id":                       c.ID,
		"name":                     c.Name,
		"head_sha":                 c.HeadSHA,
		"external_id":              c.ExternalID,
		"details_url":              c.DetailsURL,
		"status":                   c.Status,
		"conclusion":               nullable(c.Conclusion),
		"started_at":               nullable(c.StartedAt),
		"completed_at":             nullable(c.CompletedAt),
		"url":                      fmt.Sprintf("%s/check-runs/%d", s.repoAPI(), c.ID),
		"html_url":                 fmt.Sprintf("%s/runs/%d", s.repoHTML(), c.ID),
		"output.title":             nullable(c.Title),
		"output.summary":           nullable(c.Summary),
		"output.text":              nullable(c.Text),
		"output.annotations_count": len(c.Annotations),
		"output.annotations_url":   fmt.Sprintf("%s/check-runs/%d/annotations", s.repoAPI(), c.ID),
		"pull_requests":            []any{},
		"app.slug":                 "github-actions",
	})
}

type checkRunBody struct {
	Name        *string `json:"name"`
	HeadSHA     *string `json:"head_sha"`
	DetailsURL  *string `json:"details_url"`
	ExternalID  *string `json:"external_id"`
	Status      *string `json:"status"`
	Conclusion  *string `json:"conclusion"`
	StartedAt   *string `json:"started_at"`
	CompletedAt *string `json:"completed_at"`
	Output      *struct {
		Title       *string      `json:"title"`
		Summary     *string      `json:"summary"`
		Text        *string      `json:"text"`
		Annotations []Annotation `json:"annotations"`
	} `json:"output"`
}

func (s *Server) applyCheckRun(c *CheckRun, b checkRunBody) *reply {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.Name, b.Name)
	set(&c.HeadSHA, b.HeadSHA)
	set(&c.DetailsURL, b.DetailsURL)
	set(&c.ExternalID, b.ExternalID)
	set(&c.Status, b.Status)
	set(&c.StartedAt, b.StartedAt)
	set(&c.CompletedAt, b.CompletedAt)
	if b.Conclusion != nil {
		c.Conclusion = *b.Conclusion
		c.Status = "completed"
	}
	if c.Status == "completed" && c.Conclusion == "" {
		r := errReply(http.StatusUnprocessableEntity, "Invalid request.\n\nconclusion is required when status is completed")
		return &r
	}
	if b.Output != nil {
		if b.Output.Title == nil || *b.Output.Title == "" {
			// The description marks title "**Required**" in prose only.
			r := errReply(http.StatusUnprocessableEntity, "Invalid request.\n\n\"title\" wasn't supplied.")
			return &r
		}
		set(&c.Title, b.Output.Title)
		set(&c.Summary, b.Output.Summary)
		set(&c.Text, b.Output.Text)
		c.Annotations = append(c.Annotations, b.Output.Annotations...)
	}
	return nil
}

func (s *Server) listCheckRuns(req call) reply {
	var runs []any
	for _, c := range s.checkRuns {
		if c.HeadSHA != req.params["ref"] {
			continue
		}
		if n := req.query.Get("check_name"); n != "" && c.Name != n {
			continue
		}
		runs = append(runs, s.checkRunJSON(c))
	}
	page, next := s.page(runs, req.query)
	return reply{status: http.StatusOK, header: next, body: map[string]any{"total_count": len(runs), "check_runs": page}}
}

func (s *Server) createCheckRun(req call) reply {
	b, bad := decode[checkRunBody](req.body)
	if bad != nil {
		return *bad
	}
	c := &CheckRun{ID: s.id(), Status: "queued"}
	if r := s.applyCheckRun(c, b); r != nil {
		return *r
	}
	s.checkRuns = append(s.checkRuns, c)
	return reply{status: http.StatusCreated, body: s.checkRunJSON(c)}
}

func (s *Server) updateCheckRun(req call) reply {
	c := s.findCheckRun(req)
	if c == nil {
		return errReply(http.StatusNotFound, NotFoundMessage)
	}
	b, bad := decode[checkRunBody](req.body)
	if bad != nil {
		return *bad
	}
	n := 0
	if b.Output != nil {
		n = len(b.Output.Annotations)
	}
	if r := s.applyCheckRun(c, b); r != nil {
		return *r
	}
	c.Updates++
	c.AnnotationsPerUpdate = append(c.AnnotationsPerUpdate, n)
	return reply{status: http.StatusOK, body: s.checkRunJSON(c)}
}

func (s *Server) getCheckRun(req call) reply {
	if c := s.findCheckRun(req); c != nil {
		return reply{status: http.StatusOK, body: s.checkRunJSON(c)}
	}
	return errReply(http.StatusNotFound, NotFoundMessage)
}

func (s *Server) findCheckRun(req call) *CheckRun {
	return byID(s.checkRuns, req.params["check_run_id"], func(c *CheckRun) int64 { return c.ID })
}

// maxCommentBody is the longest issue comment body the fake takes.
func (s *Server) maxCommentBody() int {
	if s.opts.MaxCommentBody > 0 {
		return s.opts.MaxCommentBody
	}
	return maxCommentBody
}

func (s *Server) issueCommentJSON(c *IssueComment) map[string]any {
	return s.shape("issue-comment", map[string]any{
		"id":         c.ID,
		"body":       c.Body,
		"url":        fmt.Sprintf("%s/issues/comments/%d", s.repoAPI(), c.ID),
		"html_url":   fmt.Sprintf("%s/pull/%d#issuecomment-%d", s.repoHTML(), c.Issue, c.ID),
		"issue_url":  fmt.Sprintf("%s/issues/%d", s.repoAPI(), c.Issue),
		"user.login": c.User,
		"created_at": c.CreatedAt,
		"updated_at": c.UpdatedAt,
	})
}

// commentBody is the body of a request that creates or edits a comment,
// or GitHub's 422 when it has none or, with limit, when it is longer than
// max characters.
func commentBody(body []byte, limit bool, max int) (string, *reply) {
	var b struct {
		Body *string `json:"body"`
	}
	if err := json.Unmarshal(body, &b); err != nil || b.Body == nil {
		r := errReply(http.StatusUnprocessableEntity, "Invalid request.\n\n\"body\" wasn't supplied.")
		return "", &r
	}
	if limit && len([]rune(*b.Body)) > max {
		r := errReply(http.StatusUnprocessableEntity, fmt.Sprintf("Validation Failed: Body is too long (maximum is %d characters)", max))
		return "", &r
	}
	return *b.Body, nil
}

func (s *Server) listIssueComments(req call) reply {
	n, _ := strconv.Atoi(req.params["issue_number"])
	var items []any
	for _, c := range s.issueComments {
		if c.Issue == n {
			items = append(items, s.issueCommentJSON(c))
		}
	}
	return s.list(items, req.query)
}

func (s *Server) createIssueComment(req call) reply {
	n, _ := strconv.Atoi(req.params["issue_number"])
	text, bad := commentBody(req.body, true, s.maxCommentBody())
	if bad != nil {
		return *bad
	}
	c := &IssueComment{ID: s.id(), Issue: n, Body: text, User: s.opts.Bot, CreatedAt: s.stamp()}
	c.UpdatedAt = c.CreatedAt
	s.issueComments = append(s.issueComments, c)
	return reply{status: http.StatusCreated, body: s.issueCommentJSON(c),
		header: http.Header{"Location": {fmt.Sprintf("%s/issues/comments/%d", s.repoAPI(), c.ID)}}}
}

func (s *Server) updateIssueComment(req call) reply {
	c := byID(s.issueComments, req.params["comment_id"], func(c *IssueComment) int64 { return c.ID })
	return editComment(req, s.maxCommentBody(), c, func() map[string]any {
		c.UpdatedAt = s.stamp()
		return s.issueCommentJSON(c)
	})
}

// comment is an issue or a review comment, whose body requests edit.
type comment interface{ edit(text string) }

func (c *IssueComment) edit(text string)  { c.Body, c.Edits = text, c.Edits+1 }
func (c *ReviewComment) edit(text string) { c.Body, c.Edits = text, c.Edits+1 }

// editComment answers a request that edits target, nil when no comment has
// the path's id: GitHub's 422 for a body it refuses (longer than max
// characters, when max > 0), else 404, else the edited comment as answer
// writes it.
func editComment[T any, P interface {
	*T
	comment
}](req call, max int, target P, answer func() map[string]any) reply {
	text, bad := commentBody(req.body, max > 0, max)
	if bad != nil {
		return *bad
	}
	if target == nil {
		return errReply(http.StatusNotFound, NotFoundMessage)
	}
	target.edit(text)
	return reply{status: http.StatusOK, body: answer()}
}

func (s *Server) listPulls(req call) reply {
	q := req.query
	var items []any
	for _, p := range s.pulls {
		if st := q.Get("state"); st != "" && st != "all" && st != p.State {
			continue
		}
		label := p.HeadOwner + ":" + p.HeadRef
		if h := q.Get("head"); h != "" && h != label {
			continue
		}
		items = append(items, s.shape("pull-request-simple-items", map[string]any{
			"number":          p.Number,
			"state":           p.State,
			"url":             fmt.Sprintf("%s/pulls/%d", s.repoAPI(), p.Number),
			"html_url":        fmt.Sprintf("%s/pull/%d", s.repoHTML(), p.Number),
			"head.sha":        p.HeadSHA,
			"head.ref":        p.HeadRef,
			"head.label":      label,
			"head.user.login": p.HeadOwner,
			"base.sha":        p.BaseSHA,
			// The example's team lacks a property its schema requires.
			"requested_teams": []any{},
		}))
	}
	return s.list(items, q)
}

func (s *Server) listFiles(p *PullRequest, req call) reply {
	var items []any
	for _, f := range p.Files {
		add, del := 0, 0
		for _, l := range strings.Split(f.Patch, "\n") {
			switch {
			case strings.HasPrefix(l, "+"):
				add++
			case strings.HasPrefix(l, "-"):
				del++
			}
		}
		set := map[string]any{
			"filename":     f.Filename,
			"status":       f.Status,
			"additions":    add,
			"deletions":    del,
			"changes":      add + del,
			"blob_url":     fmt.Sprintf("%s/blob/%s/%s", s.repoHTML(), p.HeadSHA, f.Filename),
			"raw_url":      fmt.Sprintf("%s/raw/%s/%s", s.repoHTML(), p.HeadSHA, f.Filename),
			"contents_url": fmt.Sprintf("%s/contents/%s?ref=%s", s.repoAPI(), f.Filename, p.HeadSHA),
			"patch":        f.Patch,
		}
		m := s.shape("diff-entry-items", set)
		if f.Patch == "" {
			delete(m, "patch") // binary or too large: GitHub omits the patch
		}
		items = append(items, m)
	}
	return s.list(items, req.query)
}

func (s *Server) reviewCommentJSON(c *ReviewComment) map[string]any {
	m := s.shape("pull-request-review-comment-2", map[string]any{
		"id":                     c.ID,
		"pull_request_review_id": c.ReviewID,
		"path":                   c.Path,
		"line":                   c.Line,
		"original_line":          c.Line,
		"side":                   c.Side,
		"commit_id":              c.CommitID,
		"original_commit_id":     c.CommitID,
		"body":                   c.Body,
		"user.login":             c.User,
		"url":                    fmt.Sprintf("%s/pulls/comments/%d", s.repoAPI(), c.ID),
		"html_url":               fmt.Sprintf("%s/pull/%d#discussion_r%d", s.repoHTML(), c.PR, c.ID),
		"pull_request_url":       fmt.Sprintf("%s/pulls/%d", s.repoAPI(), c.PR),
	})
	// The fake's comments are not replies: drop the example's reply target.
	delete(m, "in_reply_to_id")
	if c.StartLine > 0 {
		m["start_line"], m["original_start_line"], m["start_side"] = c.StartLine, c.StartLine, c.Side
	} else {
		m["start_line"], m["original_start_line"], m["start_side"] = nil, nil, nil
	}
	return m
}

func (s *Server) listReviewComments(p *PullRequest, req call) reply {
	var items []any
	for _, c := range s.reviewComments {
		if c.PR == p.Number {
			items = append(items, s.reviewCommentJSON(c))
		}
	}
	return s.list(items, req.query)
}

// reviewBody is the body of a create-review request.
type reviewBody struct {
	CommitID *string `json:"commit_id"`
	Body     *string `json:"body"`
	Event    *string `json:"event"`
	Comments []struct {
		Path      string  `json:"path"`
		Body      string  `json:"body"`
		Line      int     `json:"line"`
		Side      string  `json:"side"`
		StartLine *int    `json:"start_line"`
		StartSide *string `json:"start_side"`
		Position  *int    `json:"position"`
	} `json:"comments"`
}

func (s *Server) createReview(p *PullRequest, req call) reply {
	b, bad := decode[reviewBody](req.body)
	if bad != nil {
		return *bad
	}
	if b.Event == nil || *b.Event != "COMMENT" {
		s.t.Errorf("githubtest: review event %v: meshgate only comments", b.Event)
	}
	if b.Body == nil || *b.Body == "" {
		return errReply(http.StatusUnprocessableEntity, "Unprocessable Entity: body is required for COMMENT reviews")
	}
	commit := p.HeadSHA
	if b.CommitID != nil {
		commit = *b.CommitID
	}
	for _, c := range b.Comments {
		start := c.Line
		if c.StartLine != nil {
			start = *c.StartLine
		}
		// A multi-line comment starts on the RIGHT side before its last
		// line, in the same hunk.
		span := c.StartLine == nil && c.StartSide == nil ||
			c.StartLine != nil && start < c.Line && c.StartSide != nil && *c.StartSide == "RIGHT"
		if c.Position != nil || c.Side != "RIGHT" || !span || onDiff(p, c.Path, start) == 0 || onDiff(p, c.Path, start) != onDiff(p, c.Path, c.Line) {
			return reply{status: http.StatusUnprocessableEntity, body: apiError{
				Message: "Unprocessable Entity", Status: "422",
				DocumentationURL: "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
				Errors:           []any{"Pull request review thread line must be part of the diff"}}}
		}
	}
	rv := &Review{ID: s.id(), PR: p.Number, CommitID: commit, Event: *b.Event, Body: *b.Body}
	s.reviews = append(s.reviews, rv)
	for _, c := range b.Comments {
		rc := &ReviewComment{ID: s.id(), ReviewID: rv.ID, PR: p.Number,
			Path: c.Path, Line: c.Line, Side: c.Side, CommitID: commit, Body: c.Body, User: s.opts.Bot}
		if c.StartLine != nil {
			rc.StartLine = *c.StartLine
		}
		s.reviewComments = append(s.reviewComments, rc)
	}
	return reply{status: http.StatusOK, body: s.shape("pull-request-review", map[string]any{
		"id":               rv.ID,
		"body":             rv.Body,
		"state":            "COMMENTED",
		"commit_id":        commit,
		"user.login":       s.opts.Bot,
		"html_url":         fmt.Sprintf("%s/pull/%d#pullrequestreview-%d", s.repoHTML(), p.Number, rv.ID),
		"pull_request_url": fmt.Sprintf("%s/pulls/%d", s.repoAPI(), p.Number),
	})}
}

// onDiff is the hunk (from 1) whose new side shows line of path in the
// pull request's diff, where GitHub accepts a RIGHT-side comment; 0 when
// none does.
func onDiff(p *PullRequest, path string, line int) int {
	for _, f := range p.Files {
		if f.Filename != path {
			continue
		}
		n, hunk := 0, 0
		for _, l := range strings.Split(f.Patch, "\n") {
			if strings.HasPrefix(l, "@@") {
				var a, b, c, d int
				if _, err := fmt.Sscanf(l, "@@ -%d,%d +%d,%d @@", &a, &b, &c, &d); err != nil {
					if _, err := fmt.Sscanf(l, "@@ -%d +%d", &a, &c); err != nil {
						return 0
					}
				}
				n = c
				hunk++
				continue
			}
			if strings.HasPrefix(l, "-") || strings.HasPrefix(l, `\`) {
				continue
			}
			if n == line {
				return hunk
			}
			n++
		}
	}
	return 0
}

func (s *Server) updateReviewComment(req call) reply {
	c := byID(s.reviewComments, req.params["comment_id"], func(c *ReviewComment) int64 { return c.ID })
	return editComment(req, 0, c, func() map[string]any { return s.reviewCommentJSON(c) })
}

// byID returns the object whose id is idStr, a path parameter; nil when
// there is none.
func byID[T any](objs []*T, idStr string, id func(*T) int64) *T {
	want, _ := strconv.ParseInt(idStr, 10, 64)
	for _, o := range objs {
		if id(o) == want {
			return o
		}
	}
	return nil
}

// list answers a list operation with the page of items the query asks for.
func (s *Server) list(items []any, q url.Values) reply {
	page, next := s.page(items, q)
	return reply{status: http.StatusOK, header: next, body: page}
}

// page is the part of items the query's page/per_page ask for, and the Link
// header pointing at the next and last pages. A page past the end is empty,
// not nil, so that it is encoded as [] as GitHub sends it.
func (s *Server) page(items []any, q url.Values) ([]any, http.Header) {
	n := len(items)
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	if per > s.opts.MaxPerPage {
		per = s.opts.MaxPerPage
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page <= 0 {
		page = 1
	}
	lo := (page - 1) * per
	hi := lo + per
	if lo > n {
		lo = n
	}
	if hi > n {
		hi = n
	}
	h := http.Header{}
	last := (n + per - 1) / per
	if page < last {
		link := func(p int) string {
			qq := url.Values{}
			for k, v := range q {
				qq[k] = v
			}
			qq.Set("page", strconv.Itoa(p))
			qq.Set("per_page", strconv.Itoa(per))
			return "<" + s.srv.URL + s.opts.PathPrefix + s.curPath + "?" + qq.Encode() + ">"
		}
		h.Set("Link", link(page+1)+`; rel="next", `+link(last)+`; rel="last"`)
	}
	out := items[lo:hi]
	if out == nil {
		out = []any{}
	}
	return out, h
}
