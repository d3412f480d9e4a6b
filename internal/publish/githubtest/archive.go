package githubtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// The repository archive download. GET /repos/{owner}/{repo}/tarball/{ref}
// answers 302 with a Location on another host (codeload.github.com), whose
// URL carries a temporary token of its own; the archive comes from there.
// The fake serves that second host under codeloadPath on its own listener
// and records its requests as operation CodeloadOperation.
const (
	codeloadPath = "/_codeload/"
	// CodeloadOperation is the operation id the fake records archive
	// downloads under (not an operation of the REST API).
	CodeloadOperation = "codeload/download"
	// CodeloadToken is the temporary token of the download URL: it must
	// never reach a log or an output.
	CodeloadToken = "LCODELOADTEMPORARYTOKEN0123456789"
)

// AddArchive makes the fake serve archive (a gzipped tar, see Tarball) as
// the tarball of ref. Refs without an archive answer 404, as GitHub does for
// a commit the token cannot see.
func (s *Server) AddArchive(ref string, archive []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.archives == nil {
		s.archives = map[string][]byte{}
	}
	s.archives[ref] = append([]byte(nil), archive...)
}

// downloadTarball answers the API's half: the redirect. GitHub's
// description documents only the 302; its 404 for an unknown ref is sent
// unchecked.
func (s *Server) downloadTarball(req call) reply {
	ref := req.params["ref"]
	if _, ok := s.archives[ref]; !ok {
		r := errReply(http.StatusNotFound, NotFoundMessage)
		r.unchecked = true
		return r
	}
	loc := s.srv.URL + codeloadPath + url.PathEscape(s.opts.Owner) + "/" + url.PathEscape(s.opts.Repo) +
		"/legacy.tar.gz/" + url.PathEscape(ref) + "?token=" + CodeloadToken
	return reply{status: http.StatusFound, header: http.Header{"Location": {loc}}}
}

// serveCodeload is the download host: the archive for a URL the redirect
// gave, without the API's token (a client must not send it to another
// host) and with the URL's temporary token.
func (s *Server) serveCodeload(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, OperationID: CodeloadOperation, Header: r.Header.Clone()}
	status, body := s.codeload(r)
	rec.Status = status
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	if status == http.StatusOK {
		w.Header().Set("Content-Type", "application/x-gzip")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) codeload(r *http.Request) (int, []byte) {
	if r.Header.Get("Authorization") != "" {
		s.t.Errorf("githubtest: %s %s: the API token was sent to the archive download host", r.Method, r.URL.Path)
		return http.StatusBadRequest, nil
	}
	if r.Method != http.MethodGet || r.URL.Query().Get("token") != CodeloadToken {
		s.t.Errorf("githubtest: %s %s: not a download URL the fake gave", r.Method, r.URL.Path)
		return http.StatusNotFound, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.fault(CodeloadOperation, r.Method); f != nil {
		return f.Status, []byte(http.StatusText(f.Status))
	}
	rest := strings.TrimPrefix(r.URL.Path, codeloadPath+s.opts.Owner+"/"+s.opts.Repo+"/legacy.tar.gz/")
	archive, ok := s.archives[rest]
	if !ok {
		return http.StatusNotFound, []byte("404: Not Found")
	}
	return http.StatusOK, archive
}

// Tarball is a repository archive as GitHub makes it: a gzipped tar with
// a pax global header naming the commit, every file under one top folder
// (owner-repo-shortsha/), folders before their files. files maps
// slash-separated paths to contents.
func Tarball(t testing.TB, top, commit string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	mtime := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	write := func(h *tar.Header, body string) {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	write(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": commit}, Format: tar.FormatPAX}, "")
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	dirs := map[string]bool{}
	for _, n := range names {
		parts := strings.Split(top+"/"+n, "/")
		for i := 1; i < len(parts); i++ {
			d := strings.Join(parts[:i], "/") + "/"
			if !dirs[d] {
				dirs[d] = true
				write(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o775, ModTime: mtime}, "")
			}
		}
		write(&tar.Header{Typeflag: tar.TypeReg, Name: top + "/" + n, Mode: 0o664, Size: int64(len(files[n])), ModTime: mtime}, files[n])
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
