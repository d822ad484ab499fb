// Package testutil holds helpers for tests only: listing fixture files,
// reading them into records the way the splitter presents them, and
// comparing output with golden files. No production code imports it.
package testutil

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/normalize/jv"
)

// update is the -update flag of every test binary that imports this
// package; such packages must not define their own.
var update = flag.Bool("update", false, "rewrite golden files")

// Fixtures lists the input fixtures in dir matching patterns (default
// "*.json"), without the *.golden.json files, sorted. It fails the test
// when there are none.
func Fixtures(t testing.TB, dir string, patterns ...string) []string {
	t.Helper()
	if len(patterns) == 0 {
		patterns = []string{"*.json"}
	}
	var out []string
	for _, pat := range patterns {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, ".golden.json") {
				out = append(out, f)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no fixtures in %s", dir)
	}
	slices.Sort(out)
	return out
}

// Records reads a fixture or sample file (gzip allowed) and returns its
// records: one per line for .jsonl files or text that is not a single JSON
// value; else the elements of a {"Records":[...]}, {"records":[...]},
// {"Events":[...]} or {"value":[...]} wrapper or of a bare array, or the
// single object.
func Records(t testing.TB, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if strings.HasSuffix(path, ".jsonl") {
		return jsonLines(t, path, raw)
	}
	v, err := jv.Decode(raw)
	if err != nil {
		return jsonLines(t, path, raw)
	}
	var elems []any
	switch x := v.(type) {
	case []any:
		elems = x
	case map[string]any:
		elems = []any{x}
		for _, key := range []string{"Records", "records", "Events", "value"} {
			if list, ok := x[key].([]any); ok {
				elems = list
				break
			}
		}
	default:
		t.Fatalf("%s: top-level JSON %s", path, jv.TypeName(v))
	}
	out := make([]map[string]any, 0, len(elems))
	for i, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			t.Fatalf("%s: record %d is a JSON %s", path, i, jv.TypeName(e))
		}
		out = append(out, m)
	}
	return out
}

// jsonLines decodes one JSON object a non-blank line.
func jsonLines(t testing.TB, path string, raw []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		m, err := jv.DecodeObject(line)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// GoldenPath names the golden file of a fixture: its path with the
// extension replaced by .golden.json.
func GoldenPath(fixture string) string {
	return strings.TrimSuffix(fixture, filepath.Ext(fixture)) + ".golden.json"
}

// Golden compares got with the golden file at path, or rewrites the file
// when the test runs with -update.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", path, firstDiff(want, got))
	}
}

// GoldenJSON marshals v as indented JSON with a final newline, compares it
// with the golden file at path as Golden does, and returns the bytes.
func GoldenJSON(t testing.TB, path string, v any) []byte {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	Golden(t, path, got)
	return got
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got []byte) string {
	w := strings.Split(string(want), "\n")
	g := strings.Split(string(got), "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, wl, gl)
		}
	}
	return "(no line differs)"
}
