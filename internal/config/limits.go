package config

import (
	"math"
	"regexp"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// limits decodes the limits section; a field left out keeps its default.
func (d *decoder) limits(n *yaml.Node, field string) Limits {
	var l Limits
	for _, p := range d.fields(n, field, "renderTimeout", "maxRenderedBytes", "maxObjects") {
		f := join(field, p.name)
		v := resolve(p.val)
		switch p.name {
		case "renderTimeout":
			if !isString(v) {
				d.typeErr(v, f, `a duration such as "60s"`)
				continue
			}
			s := v.Value
			t, err := time.ParseDuration(s)
			if err != nil || t < time.Second {
				d.add(v, f, "invalid duration %q: use a Go duration of at least 1s, e.g. \"60s\" or \"2m\"", s)
				continue
			}
			l.RenderTimeout = t
		case "maxRenderedBytes":
			if b, ok := d.size(v, f); ok {
				l.MaxRenderedBytes = b
			}
		case "maxObjects":
			if i, ok := d.positiveInt(v, f); ok {
				l.MaxObjects = i
			}
		}
	}
	return l
}

// sizeRe is a byte size: a number of bytes, or a number with a binary unit.
var sizeRe = regexp.MustCompile(`^([0-9]+)\s*(B|KiB|MiB|GiB|Ki|Mi|Gi)?$`)

var sizeUnits = map[string]int64{"": 1, "B": 1, "Ki": 1 << 10, "KiB": 1 << 10, "Mi": 1 << 20, "MiB": 1 << 20, "Gi": 1 << 30, "GiB": 1 << 30}

// size decodes a positive byte size: 67108864, "64MiB", "512Ki".
func (d *decoder) size(n *yaml.Node, field string) (int64, bool) {
	bad := func() (int64, bool) {
		d.add(n, field, "invalid size %q: use a number of bytes or a number with KiB, MiB or GiB, e.g. \"64MiB\"", n.Value)
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || isNull(n) || (n.ShortTag() != "!!int" && !isString(n)) {
		d.typeErr(n, field, "a size")
		return 0, false
	}
	m := sizeRe.FindStringSubmatch(n.Value)
	if m == nil {
		return bad()
	}
	num, err := strconv.ParseInt(m[1], 10, 64)
	unit := sizeUnits[m[2]]
	if err != nil || num <= 0 || num > math.MaxInt64/unit {
		return bad()
	}
	return num * unit, true
}

// positiveInt decodes an integer of at least 1.
func (d *decoder) positiveInt(n *yaml.Node, field string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.typeErr(n, field, "a whole number")
		return 0, false
	}
	i, err := strconv.ParseInt(n.Value, 0, 64)
	if err != nil || i < 1 || i > math.MaxInt32 {
		d.add(n, field, "invalid number %s: use a whole number from 1 to %d", n.Value, math.MaxInt32)
		return 0, false
	}
	return int(i), true
}
