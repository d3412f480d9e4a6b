package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// JSON writes the SPEC's JSON report: 2-space indent, trailing newline.
func JSON(w io.Writer, r Report, _ Options) error {
	r = normalized(r)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Messages quote helm errors such as `at <.Values.x>`: keep them
	// readable instead of \u003c.
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// ReadJSON reads a report written by the json format (meshgate publish,
// --baseline). Errors give the line and column of the problem.
func ReadJSON(rd io.Reader) (Report, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return Report{}, fmt.Errorf("read json report: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Report{}, errors.New("json report: the input is empty")
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := lineCol(data, syn.Offset)
			return Report{}, fmt.Errorf("json report: line %d, column %d: %w", line, col, err)
		case errors.As(err, &typ):
			line, col := lineCol(data, typ.Offset)
			return Report{}, fmt.Errorf("json report: line %d, column %d: field %q: %w", line, col, typ.Field, err)
		}
		return Report{}, fmt.Errorf("json report: %w", err)
	}
	switch {
	case r.Version == 0:
		return Report{}, errors.New("json report: no \"version\": not a meshgate JSON report")
	case r.Version != Version:
		return Report{}, fmt.Errorf("json report: version %d is not supported (this meshgate reads version %d)", r.Version, Version)
	}
	r.Finalize()
	return r, nil
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}
