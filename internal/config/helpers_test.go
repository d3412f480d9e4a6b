package config

import (
	"flag"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

var update = flag.Bool("update", false, "rewrite golden files")

// dump shows a value with every field, also those JSON tags hide (Line,
// Origin), for readable failure messages.
func dump(v any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(v), "")
	return b.String()
}

func dumpValue(b *strings.Builder, v reflect.Value, indent string) {
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	if re, ok := v.Interface().(*regexp.Regexp); ok {
		if re == nil {
			b.WriteString("nil")
		} else {
			fmt.Fprintf(b, "regexp(%q)", re.String())
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString("&")
		dumpValue(b, v.Elem(), indent)
	case reflect.Struct:
		b.WriteString("{\n")
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).IsZero() {
				continue
			}
			fmt.Fprintf(b, "%s  %s: ", indent, v.Type().Field(i).Name)
			dumpValue(b, v.Field(i), indent+"  ")
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString("[\n")
		for i := 0; i < v.Len(); i++ {
			b.WriteString(indent + "  ")
			dumpValue(b, v.Index(i), indent+"  ")
			b.WriteString("\n")
		}
		b.WriteString(indent + "]")
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		b.WriteString("{\n")
		for _, k := range keys {
			fmt.Fprintf(b, "%s  %q: ", indent, k.String())
			dumpValue(b, v.MapIndex(k), indent+"  ")
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	default:
		fmt.Fprintf(b, "%v", v.Interface())
	}
}
