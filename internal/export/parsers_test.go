package export

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// parserDir holds the npm packages of the real parsers (package.json and
// its lock file are committed; .ci/run installs node_modules).
const parserDir = "testdata/parsers"

// query is one generated query for check.js.
type query struct {
	Name string `json:"name"`
	Lang string `json:"lang"`
	Text string `json:"text"`
}

// parse runs the queries through check.js and returns each one's errors
// by name. Outside CI a missing node or package install skips the test;
// in CI (CI set) it fails it.
func parse(t *testing.T, qs []query) map[string][]string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(parserDir, "node_modules"))
	}
	if err != nil {
		msg := "the query parsers need node and `npm ci --prefix internal/export/testdata/parsers`: " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	in, err := json.Marshal(qs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(parserDir, "check.js"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("check.js: %v\n%s", err, stderr.Bytes())
	}
	var res []struct {
		Name   string   `json:"name"`
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("check.js output: %v\n%s", err, out)
	}
	if len(res) != len(qs) {
		t.Fatalf("check.js answered %d of %d queries", len(res), len(qs))
	}
	errs := map[string][]string{}
	for _, r := range res {
		errs[r.Name] = r.Errors
	}
	return errs
}

// checkParsed generates target's queries, runs those whose file names end
// in ext through the parser of lang, and fails on any error. The
// controls are queries that must fail, so a parser that accepts anything
// cannot pass the test.
func checkParsed(t *testing.T, targetName, ext, lang string, controls ...string) []File {
	t.Helper()
	files := generate(t, targetName)
	var qs []query
	for _, f := range files {
		if filepath.Ext(f.Name) == ext {
			qs = append(qs, query{Name: f.Name, Lang: lang, Text: string(f.Data)})
		}
	}
	if len(qs) < 20 {
		t.Fatalf("%s: only %d %s queries", targetName, len(qs), ext)
	}
	for i, c := range controls {
		qs = append(qs, query{Name: "control-" + itoa(i), Lang: lang, Text: c})
	}
	errs := parse(t, qs)
	for _, q := range qs[:len(qs)-len(controls)] {
		for _, e := range errs[q.Name] {
			t.Errorf("%s/%s: %s", targetName, q.Name, e)
		}
	}
	for i, c := range controls {
		if len(errs["control-"+itoa(i)]) == 0 {
			t.Errorf("the %s parser accepts a wrong query: %s", lang, c)
		}
	}
	t.Logf("%d %s queries parsed", len(qs)-len(controls), lang)
	return files
}
