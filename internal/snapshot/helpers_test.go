package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/ingest"
)

// The samples under testdata/real are copies of shared/data/snapshots
// (provenance in testdata/real/SOURCES.md), kept as published: most sit in
// a recording wrapper (boto placebo, VCR cassette, HTTP flight, REST API
// spec example), which the readers take off themselves (wrapper.go).
func sample(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// readSamples reads the named samples (paths under testdata/real) as one
// set, as published.
func readSamples(t testing.TB, names ...string) *Set {
	t.Helper()
	var inputs []ingest.Input
	for _, n := range names {
		inputs = append(inputs, ingest.ReaderInput(n, bytes.NewReader(sample(t, filepath.Join("testdata", "real", n)))))
	}
	set, err := Read(context.Background(), inputs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// realSamples lists every sample file.
func realSamples(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"aws", "azure", "gcp", "terraform"} {
		es, err := os.ReadDir(filepath.Join("testdata", "real", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			out = append(out, dir+"/"+e.Name())
		}
	}
	return out
}

func TestDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	for _, n := range realSamples(t) {
		if !strings.Contains(n, os.Getenv("DUMP")) && os.Getenv("DUMP") != "all" {
			continue
		}
		set := readSamples(t, n)
		b, _ := json.MarshalIndent(set, "", " ")
		fmt.Printf("== %s\n%s\n", n, b)
	}
}
