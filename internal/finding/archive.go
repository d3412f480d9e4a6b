package finding

import "strings"

// A finding in a chart packaged as an archive (a subchart vendored as
// charts/NAME-VERSION.tgz, or a packaged top chart) has no file of its own
// to point at: its File is ARCHIVE#PATH, the archive's repository path and
// the template's path inside the chart it packages, the way helm's
// "# Source:" names it (templates/x.yaml; charts/SUB/templates/y.yaml for
// a subchart packaged inside), and its Line a line of that template.

// archiveSuffixes end the archive part of a location: helm packages charts
// as .tgz (the only name it loads from charts/), and a packaged top chart
// may also be a .tar.gz.
var archiveSuffixes = []string{".tgz#", ".tar.gz#"}

// InArchive is the location of path inside the chart archive archive; the
// archive itself when the location could not be told apart from a file of
// that name (an archive whose name does not end in .tgz or .tar.gz).
func InArchive(archive, path string) string {
	loc := archive + "#" + path
	if a, p, ok := SplitArchive(loc); !ok || a != archive || p != path {
		return archive
	}
	return loc
}

// SplitArchive splits an ARCHIVE#PATH location; ok is false for the path
// of a repository file (which may hold a "#" of its own).
func SplitArchive(file string) (archive, path string, ok bool) {
	best := -1
	for _, s := range archiveSuffixes {
		if i := strings.Index(file, s); i >= 0 && (best < 0 || i+len(s) < best) {
			best = i + len(s)
		}
	}
	if best < 0 || best == len(file) {
		return "", "", false
	}
	return file[:best-1], file[best:], true
}
