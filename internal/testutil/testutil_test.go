package testutil

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFixtures(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.json", "a.jsonl", "a.golden.json", "c.txt"} {
		write(t, dir, n, "{}")
	}
	got := Fixtures(t, dir, "*.json", "*.jsonl")
	want := []string{filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.json")}
	if !slices.Equal(got, want) {
		t.Errorf("Fixtures = %v, want %v", got, want)
	}
	if got := Fixtures(t, dir); !slices.Equal(got, want[1:]) {
		t.Errorf("Fixtures default = %v, want %v", got, want[1:])
	}
}

func TestRecords(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	fmt.Fprint(zw, `{"Records":[{"n":1},{"n":2}]}`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"records.json": `{"records":[{"n":1},{"n":2}]}`,
		"events.json":  `{"Events":[{"n":1},{"n":2}]}`,
		"value.json":   `{"value":[{"n":1},{"n":2}]}`,
		"array.json":   `[{"n":1},{"n":2}]`,
		"lines.log":    "{\"n\":1}\n\n{\"n\":2}\n",
		"lines.jsonl":  "{\"n\":1}\n{\"n\":2}",
		"trail.json":   gz.String(),
	} {
		recs := Records(t, write(t, dir, name, text))
		if len(recs) != 2 || fmt.Sprintf("%v %v", recs[0]["n"], recs[1]["n"]) != "1 2" {
			t.Errorf("%s: %v", name, recs)
		}
	}
	if recs := Records(t, write(t, dir, "one.json", `{"n":1}`)); len(recs) != 1 {
		t.Errorf("one object: %v", recs)
	}
}

// recorder catches a helper's errors instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestGolden(t *testing.T) {
	if *update {
		t.Skip("compares only")
	}
	path := write(t, t.TempDir(), "x.golden.json", "a\nb\n")
	r := &recorder{TB: t}
	Golden(r, path, []byte("a\nb\n"))
	if len(r.errs) != 0 {
		t.Errorf("equal text: %v", r.errs)
	}
	Golden(r, path, []byte("a\nc\n"))
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "line 2:\n  want: b\n  got:  c") {
		t.Errorf("differing text: %q", r.errs)
	}
	if got := GoldenPath("testdata/x.jsonl"); got != "testdata/x.golden.json" {
		t.Errorf("GoldenPath = %q", got)
	}
}
