package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes rep in the named format to w, or, when path is not "", to
// the file at path (its folder made as needed, nothing written when the
// format fails). Errors name the format.
func Write(w io.Writer, path, format string, rep Report, opts Options) error {
	f, err := Lookup(format)
	if err != nil {
		return err
	}
	if path == "" {
		if err := f(w, rep, opts); err != nil {
			return fmt.Errorf("write %s report: %w", format, err)
		}
		return nil
	}
	var buf bytes.Buffer
	if err := f(&buf, rep, opts); err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	return nil
}
