package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/internal/testrepo"
)

func TestFind(t *testing.T) {
	cases := []struct {
		name     string
		files    []string // created in the root
		explicit string
		want     string // relative to the root; "" for none
		wantErr  string // with ROOT for the root
	}{
		{name: "no config", want: ""},
		{name: "yaml", files: []string{".meshgate.yaml"}, want: ".meshgate.yaml"},
		{name: "yml", files: []string{".meshgate.yml"}, want: ".meshgate.yml"},
		{name: "both", files: []string{".meshgate.yaml", ".meshgate.yml"}, wantErr: "both .meshgate.yaml and .meshgate.yml exist in ROOT: keep one"},
		{name: "explicit relative", files: []string{".meshgate.yaml", "ci/meshgate.yaml"}, explicit: "ci/meshgate.yaml", want: "ci/meshgate.yaml"},
		{name: "explicit absolute", files: []string{"ci/meshgate.yaml"}, explicit: "ROOT/ci/meshgate.yaml", want: "ci/meshgate.yaml"},
		{name: "explicit missing", files: []string{".meshgate.yaml"}, explicit: "nope.yaml", wantErr: "config file nope.yaml does not exist"},
		{name: "explicit directory", files: []string{"ci/x"}, explicit: "ci", wantErr: "config file ci is a directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tc.files {
				testrepo.Write(t, root, map[string]string{f: "environments: []\n"})
			}
			got, err := Find(root, strings.ReplaceAll(tc.explicit, "ROOT", root))
			if tc.wantErr != "" {
				want := strings.ReplaceAll(tc.wantErr, "ROOT", root)
				if err == nil || err.Error() != want {
					t.Fatalf("Find error = %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tc.want != "" {
				want = filepath.Join(root, tc.want)
			}
			if got != want {
				t.Errorf("Find = %q, want %q", got, want)
			}
		})
	}
}

func TestFindRelativeRoot(t *testing.T) {
	// A relative root (the -C flag) still gives an absolute path.
	got, err := Find("testdata/find", "")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs("testdata/find/.meshgate.yaml")
	if got != want {
		t.Errorf("Find = %q, want %q", got, want)
	}
	if _, err := os.Stat(got); err != nil {
		t.Error(err)
	}
}
