package githubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specServer is the server URL of GitHub's description; requests are
// rewritten onto it before routing, wherever the fake server listens.
const specServer = "https://api.github.com"

// Spec is GitHub's OpenAPI description with a router over its operations.
type Spec struct {
	doc    *openapi3.T
	router routers.Router
}

// loadSpec loads the description once per test binary.
var loadSpec = sync.OnceValues(func() (*Spec, error) {
	file, err := npmFile(OpenAPIPackage, "generated", "api.github.com.json")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromFile(file)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", file, err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", file, err)
	}
	return &Spec{doc: doc, router: router}, nil
})

// LoadSpec loads api.github.com.json of OpenAPIPackage once per test binary
// (it is 13 MB and takes a second or two). doc.Validate() is not called:
// GitHub's file fails it on harmless details.
func LoadSpec() (*Spec, error) { return loadSpec() }

// validated is a request that matched an operation of the description.
type validated struct {
	route  *routers.Route
	params map[string]string
	input  *openapi3filter.RequestValidationInput
}

// validateRequest finds the operation of r (whose URL path has any GHES
// prefix removed) and validates its parameters and body. body is r's body,
// already read.
func (s *Spec) validateRequest(ctx context.Context, r *http.Request, path string, body []byte) (*validated, error) {
	u, err := url.Parse(specServer + path)
	if err != nil {
		return nil, err
	}
	u.RawQuery = r.URL.RawQuery
	req := r.Clone(ctx)
	req.URL = u
	req.Host = u.Host
	req.RequestURI = ""
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("no operation in GitHub's API description: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError: true,
			// GitHub's description declares no security schemes to check;
			// the fake checks the token itself.
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// A body the operation does not describe is a mistake.
			RejectWhenRequestBodyNotSpecified: true,
		},
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return nil, err
	}
	return &validated{route: route, params: params, input: in}, nil
}

// validateResponse checks that the fake answers like GitHub: the status is
// documented for the operation and the body matches its schema.
func (s *Spec) validateResponse(ctx context.Context, v *validated, status int, header http.Header, body []byte) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: v.input,
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(ctx, in)
}

// example returns a copy of the value of #/components/examples/name.
func (s *Spec) example(name string) (any, error) {
	ref, ok := s.doc.Components.Examples[name]
	if !ok || ref.Value == nil {
		return nil, fmt.Errorf("GitHub's API description has no example %q", name)
	}
	b, err := json.Marshal(ref.Value.Value)
	if err != nil {
		return nil, err
	}
	var v any
	err = json.Unmarshal(b, &v)
	return v, err
}
