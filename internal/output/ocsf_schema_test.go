package output

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ocsfAttr is one attribute of the OCSF 1.3.0 field table
// (testdata/ocsf/class2004.json, derived from the OCSF schema; see
// testdata/ocsf/PROVENANCE.md).
type ocsfAttr struct {
	Type        string `json:"type"`
	Array       bool   `json:"array"`
	Requirement string `json:"requirement"`
	Enum        []any  `json:"enum"`
}

type ocsfTable struct {
	ClassUID int                            `json:"class_uid"`
	Class    map[string]ocsfAttr            `json:"class"`
	Objects  map[string]map[string]ocsfAttr `json:"objects"`
}

func loadOCSFTable(t *testing.T) *ocsfTable {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "ocsf", "class2004.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tab ocsfTable
	if err := json.Unmarshal(raw, &tab); err != nil {
		t.Fatal(err)
	}
	if tab.ClassUID != 2004 || len(tab.Class) == 0 || len(tab.Objects) == 0 {
		t.Fatalf("field table looks empty: class %d, %d attributes, %d objects", tab.ClassUID, len(tab.Class), len(tab.Objects))
	}
	return &tab
}

// ocsfErrors checks one decoded event against the table: every attribute
// is known to its object, required ones are present, types and enum values
// match. It returns what is wrong, one line each.
func (tab *ocsfTable) ocsfErrors(ev map[string]any) []string {
	var errs []string
	var object func(path string, attrs map[string]ocsfAttr, v map[string]any)
	var value func(path string, a ocsfAttr, v any)
	object = func(path string, attrs map[string]ocsfAttr, v map[string]any) {
		for k, x := range v {
			a, ok := attrs[k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: not an attribute of this object in OCSF 1.3.0", path, k))
				continue
			}
			if a.Array {
				arr, ok := x.([]any)
				if !ok {
					errs = append(errs, fmt.Sprintf("%s.%s: want an array, got %T", path, k, x))
					continue
				}
				for i, e := range arr {
					value(fmt.Sprintf("%s.%s[%d]", path, k, i), a, e)
				}
				continue
			}
			value(path+"."+k, a, x)
		}
		for k, a := range attrs {
			if _, ok := v[k]; !ok && a.Requirement == "required" {
				errs = append(errs, fmt.Sprintf("%s.%s: required attribute missing", path, k))
			}
		}
	}
	value = func(path string, a ocsfAttr, x any) {
		switch a.Type {
		case "json_t", "object":
			return // any JSON value
		case "string_t":
			if _, ok := x.(string); !ok {
				errs = append(errs, fmt.Sprintf("%s: want a string, got %T", path, x))
			}
			return
		case "boolean_t":
			if _, ok := x.(bool); !ok {
				errs = append(errs, fmt.Sprintf("%s: want a boolean, got %T", path, x))
			}
			return
		case "integer_t", "long_t", "float_t":
			n, ok := x.(float64)
			if !ok || (a.Type != "float_t" && n != math.Trunc(n)) {
				errs = append(errs, fmt.Sprintf("%s: want %s, got %v", path, a.Type, x))
				return
			}
			if len(a.Enum) > 0 && !slices.Contains(a.Enum, any(n)) {
				errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", path, n, a.Enum))
			}
			return
		}
		attrs, ok := tab.Objects[a.Type]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: unknown type %s in the table", path, a.Type))
			return
		}
		m, ok := x.(map[string]any)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: want a %s object, got %T", path, a.Type, x))
			return
		}
		object(path, attrs, m)
	}
	object("$", tab.Class, ev)
	slices.Sort(errs)
	return errs
}

// validateOCSF checks every line of OCSF output against the table.
func validateOCSF(t *testing.T, tab *ocsfTable, label string, out []byte) {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Errorf("%s:%d: %v", label, i+1, err)
			continue
		}
		for _, e := range tab.ocsfErrors(ev) {
			t.Errorf("%s:%d: %s", label, i+1, e)
		}
	}
}

// Every OCSF line cloudwall writes is a valid OCSF 1.3.0 Detection Finding.
func TestOCSFSchema(t *testing.T) {
	tab := loadOCSFTable(t)
	validateOCSF(t, tab, "ocsf", render(t, FormatOCSF, testFindings(), Options{Version: "1.2.3"}))
	// The checker is real: it rejects what OCSF does not allow.
	for name, ev := range map[string]string{
		"unknown attribute":  `{"activity_id":1,"category_uid":2,"class_uid":2004,"type_uid":200401,"severity_id":1,"time":1,"metadata":{"version":"1.3.0","product":{"vendor_name":"x"}},"finding_info":{"uid":"a","title":"t","analytic":{"type_id":1}},"colour":"red"}`,
		"bad class":          `{"activity_id":1,"category_uid":2,"class_uid":2003,"type_uid":200401,"severity_id":1,"time":1,"metadata":{"version":"1.3.0","product":{"vendor_name":"x"}},"finding_info":{"uid":"a","title":"t","analytic":{"type_id":1}}}`,
		"severity as string": `{"activity_id":1,"category_uid":2,"class_uid":2004,"type_uid":200401,"severity_id":"high","time":1,"metadata":{"version":"1.3.0","product":{"vendor_name":"x"}},"finding_info":{"uid":"a","title":"t","analytic":{"type_id":1}}}`,
		"missing metadata":   `{"activity_id":1,"category_uid":2,"class_uid":2004,"type_uid":200401,"severity_id":1,"time":1,"finding_info":{"uid":"a","title":"t","analytic":{"type_id":1}}}`,
		"session uid number": `{"activity_id":1,"category_uid":2,"class_uid":2004,"type_uid":200401,"severity_id":1,"time":1,"metadata":{"version":"1.3.0","product":{"vendor_name":"x"}},"finding_info":{"uid":"a","title":"t","analytic":{"type_id":1}},"evidences":[{"actor":{"session":{"uid":7}}}]}`,
	} {
		var v map[string]any
		if err := json.Unmarshal([]byte(ev), &v); err != nil {
			t.Fatal(err)
		}
		if errs := tab.ocsfErrors(v); len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The OCSF the CLI writes for the bundled samples (its golden file) is
// valid too: real records bring values the test findings do not.
func TestOCSFSchemaSamples(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("..", "cli", "testdata", "samples.ocsf"))
	if err != nil {
		t.Skip(err)
	}
	validateOCSF(t, loadOCSFTable(t), "samples.ocsf", out)
}
