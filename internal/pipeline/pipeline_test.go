package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
)

func scan(t *testing.T, paths []string, opts Options) Result {
	t.Helper()
	if opts.Content == nil {
		c, err := content.Default()
		if err != nil {
			t.Fatal(err)
		}
		opts.Content = c
	}
	inputs, err := ingest.Expand(context.Background(), paths, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), inputs, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Close() })
	return res
}

// fixtureFiles lists every audit-log fixture in the repository and the
// shared public samples, plus the fuzz corpora written out as files.
func fixtureFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{
		"../normalize/*/testdata/*.json", "../normalize/*/testdata/*.jsonl", "../normalize/*/testdata/*.log",
		"../normalize/testdata/*",
	} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	for _, root := range []string{"../../testdata/samples", "../../../shared/data"} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				files = append(files, p)
			}
			return nil
		})
	}
	fuzz, _ := filepath.Glob("../normalize/*/testdata/fuzz/*/*")
	fuzz2, _ := filepath.Glob("../normalize/testdata/fuzz/*/*")
	dir := t.TempDir()
	for i, p := range append(fuzz, fuzz2...) {
		data, ok := fuzzInput(p)
		if !ok {
			continue
		}
		out := filepath.Join(dir, "fuzz-"+strconv.Itoa(i)+".json")
		if err := os.WriteFile(out, data, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, out)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d fixture files; is the test run from its package directory?", len(files))
	}
	return files
}

// fuzzInput reads the first []byte or string value of a Go fuzz corpus file.
func fuzzInput(path string) ([]byte, bool) {
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, []byte("go test fuzz v1")) {
		return nil, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, prefix := range []string{"[]byte(", "string("} {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				if s, err := strconv.Unquote(strings.TrimSuffix(rest, ")")); err == nil {
					return []byte(s), true
				}
			}
		}
	}
	return nil, false
}

// TestPrefilterIsExact runs every fixture, sample and fuzz input through
// the scan twice, with the prefilter and with every record decoded, and
// requires the same findings and the same firewall-event count.
func TestPrefilterIsExact(t *testing.T) {
	files := fixtureFiles(t)
	all := Filter{MinSeverity: model.Info}
	fast := scan(t, files, Options{Filter: all})
	full := scan(t, files, Options{Filter: all, NoPrefilter: true})
	if fast.Summary.FirewallEvents == 0 {
		t.Fatal("no firewall events in the fixtures: the comparison would prove nothing")
	}
	if fast.Summary.FirewallEvents != full.Summary.FirewallEvents {
		t.Errorf("firewall events: prefiltered %d, full parse %d", fast.Summary.FirewallEvents, full.Summary.FirewallEvents)
	}
	a, _ := json.Marshal(fast.Findings)
	b, _ := json.Marshal(full.Findings)
	if !bytes.Equal(a, b) {
		seen := map[string]bool{}
		for _, f := range fast.Findings {
			seen[f.ID] = true
		}
		for _, f := range full.Findings {
			if !seen[f.ID] {
				t.Errorf("prefilter lost %s %s (%s record %d)", f.Rule, f.Operation, f.Event.File, f.Event.Index)
			}
		}
		t.Errorf("findings differ: prefiltered %d, full parse %d", len(fast.Findings), len(full.Findings))
	}
	if fast.Summary.Records != full.Summary.Records {
		t.Errorf("records: prefiltered %d, full %d", fast.Summary.Records, full.Summary.Records)
	}
	// Every input through the large-input path (read-ahead, or parsing on
	// a second goroutine) gives the same findings and counts.
	par := scan(t, files, Options{Filter: all, LargeInput: 1})
	c, _ := json.Marshal(par.Findings)
	if !bytes.Equal(a, c) {
		t.Errorf("findings differ on the large-input path: %d, want %d", len(par.Findings), len(fast.Findings))
	}
	ps, fs := par.Summary, fast.Summary
	if ps.Records != fs.Records || ps.Unreadable != fs.Unreadable || ps.Skipped != fs.Skipped || ps.FirewallEvents != fs.FirewallEvents || len(ps.Problems) != len(fs.Problems) {
		t.Errorf("large-input path counts %+v, want %+v", ps, fs)
	}
	t.Logf("%d files, %d records, %d firewall events, %d findings", len(files), fast.Summary.Records, fast.Summary.FirewallEvents, len(fast.Findings))
}

// TestPrefilterKeepsEveryCataloguedOperation builds, for every operation
// in the catalogue, a minimal record spelled as its cloud logs it, and
// requires the prefilter to keep it.
func TestPrefilterKeepsEveryCataloguedOperation(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	anchors, ok := normalize.AnchorsFor(c.OperationKeys())
	if !ok {
		t.Fatal("no exact prefilter for the default content")
	}
	pre, err := normalize.NewPrefilter(anchors)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range c.Operations {
		for _, key := range op.Keys {
			var rec string
			switch svc, name, isAWS := strings.Cut(key, ":"); {
			case isAWS:
				rec = `{"eventSource":"` + svc + `.amazonaws.com","eventName":"` + strings.ToUpper(name[:1]) + name[1:] + `"}`
			case strings.HasPrefix(key, "microsoft."):
				rec = `{"operationName":"` + strings.ToUpper(key) + `"}`
			default:
				rec = `{"protoPayload":{"methodName":"v1.` + key + `"}}`
			}
			if !pre.Keep([]byte(rec)) {
				t.Errorf("prefilter drops %s", rec)
			}
		}
	}
}

// TestUserOperationsGetAnchors: an operation added by a user's content
// file is still found with the prefilter on.
func TestUserOperationsGetAnchors(t *testing.T) {
	base, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	user := []byte(`operations:
  - id: aws-custom-open
    cloud: aws
    keys: ["ec2:enablecustomopening"]
    resource: security_group
    kind: delete
    severity: high
    title: "Custom opening on {resource}"
    description: "a test operation"
    guidance:
      investigate: ["look"]
      respond: ["act"]
`)
	c, err := content.Parse(base, "user.yaml", user)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rec := `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"EnableCustomOpening","eventTime":"2026-03-01T00:00:00Z","eventID":"u1"}`
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"Records":[{"eventName":"AssumeRole","eventSource":"sts.amazonaws.com"},`+rec+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	res := scan(t, []string{dir}, Options{Content: c, Filter: Filter{MinSeverity: model.Info}})
	if len(res.Findings) != 1 || res.Findings[0].Rule != "aws-custom-open" {
		t.Errorf("findings = %+v, want the user's rule to fire", res.Findings)
	}
}

func TestScanCountsEveryRecord(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.json", `{"Records":[{"eventVersion":"1.08","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventTime":"2026-03-01T00:00:00Z"},{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2026-03-01T00:00:00Z","eventID":"e1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}]}`)
	write("b.json", "{\"broken\": \"x\n{\"eventName\":1}\nnot json\n")
	write("c.txt", "hello world\n")
	write("d.json", `{"some":"config"}`)
	res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}})
	s := res.Summary
	if s.Files != 4 {
		t.Errorf("files = %d, want 4", s.Files)
	}
	if s.FirewallEvents != 1 || len(res.Findings) != 1 {
		t.Errorf("firewall events = %d, findings = %d, want 1 and 1", s.FirewallEvents, len(res.Findings))
	}
	if s.Unreadable < 3 {
		t.Errorf("unreadable = %d, want at least 3 (broken line, wrong type, text file)", s.Unreadable)
	}
	if s.Skipped != 1 {
		t.Errorf("skipped = %d, want 1 (the unrecognised config object)", s.Skipped)
	}
	var named bool
	for _, p := range s.Problems {
		if strings.HasSuffix(p.File, "d.json") && strings.Contains(p.Message, "unrecognised") {
			named = true
		}
	}
	if !named {
		t.Errorf("problems %+v do not report d.json as unrecognised", s.Problems)
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// TestFixtureFindingsGolden pins, for every parser fixture, which findings
// it gives at which severity: one line per finding, easy to review. Near
// misses appear as fixtures with no line. Rewrite with -update.
func TestFixtureFindingsGolden(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../normalize/*/testdata/*.json", "../normalize/*/testdata/*.jsonl"} {
		m, _ := filepath.Glob(pattern)
		for _, f := range m {
			if !strings.HasSuffix(f, ".golden.json") {
				files = append(files, f)
			}
		}
	}
	var b strings.Builder
	for _, f := range files {
		res := scan(t, []string{f}, Options{Filter: Filter{MinSeverity: model.Info}})
		name := strings.TrimPrefix(f, "../normalize/")
		if len(res.Findings) == 0 {
			fmt.Fprintf(&b, "%s: no finding\n", name)
		}
		for _, x := range res.Findings {
			fmt.Fprintf(&b, "%s: %s %s %s %q\n", name, x.Severity, x.Outcome, x.Rule, x.Title)
		}
	}
	golden := filepath.Join("testdata", "fixture-findings.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if b.String() != string(want) {
		t.Errorf("fixture findings differ from %s; run with -update and review the diff:\n%s", golden, b.String())
	}
}

// TestSpellingVariantsSurviveThePrefilter writes one firewall change in
// the spellings the issue names (pretty-printed, keys reordered,
// whitespace variants, escaped characters, changed letter case) and
// requires the same finding from each, with the prefilter on.
func TestSpellingVariantsSurviveThePrefilter(t *testing.T) {
	compact := `{"eventVersion":"1.08","eventTime":"2026-03-01T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"v-1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}`
	var v map[string]any
	if err := json.Unmarshal([]byte(compact), &v); err != nil {
		t.Fatal(err)
	}
	pretty, _ := json.MarshalIndent(map[string]any{"Records": []any{v}}, "", "    ")
	variants := map[string]string{
		"compact":        compact,
		"pretty":         string(pretty),
		"crlf and tabs":  strings.ReplaceAll(strings.ReplaceAll(string(pretty), "\n", "\r\n"), "    ", "\t"),
		"reordered":      `{"requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"toPort":22,"fromPort":22,"ipProtocol":"tcp"}]},"groupId":"sg-1"},"eventID":"v-1","recipientAccountId":"111122223333","awsRegion":"us-east-1","eventName":"AuthorizeSecurityGroupIngress","eventSource":"ec2.amazonaws.com","eventTime":"2026-03-01T10:00:00Z","eventVersion":"1.08"}`,
		"spaces":         strings.ReplaceAll(strings.ReplaceAll(compact, ":", " : "), ",", " ,\n  "),
		"unicode escape": strings.Replace(compact, `"AuthorizeSecurityGroupIngress"`, `"\u0041uthorize\u0053ecurityGroupIngress"`, 1),
		"escaped slash":  strings.Replace(compact, `"0.0.0.0/0"`, `"0.0.0.0\/0"`, 1),
		"upper case":     strings.Replace(compact, `"AuthorizeSecurityGroupIngress"`, `"AUTHORIZESECURITYGROUPINGRESS"`, 1),
		"array":          "[\n" + compact + "\n]",
		"eventbridge":    `{"detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","account":"111122223333","detail":` + compact + `}`,
	}
	for name, text := range variants {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			// A benign record first, so the variant is not the stream's
			// always-decoded first record.
			benign := `{"eventVersion":"1.08","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","eventTime":"2026-03-01T09:00:00Z"}`
			if err := os.WriteFile(filepath.Join(dir, "v.json"), []byte(benign+"\n"+text+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}})
			if len(res.Findings) != 1 {
				t.Fatalf("%d findings, want 1; problems %+v", len(res.Findings), res.Summary.Problems)
			}
			if f := res.Findings[0]; f.Severity != model.Critical || f.Rule != "aws-sg-ingress-change" {
				t.Errorf("finding %s %s, want critical aws-sg-ingress-change", f.Severity, f.Rule)
			}
		})
	}
}

// TestAzureResponseBeatsRequest: the request spells the source twice
// ("10.0.0.5" and "*"), the response shows "*" applied; whether the two
// bodies sit in a Start and a Success record or in one record, the
// finding is world-open and says the bodies differ (issue 7).
func TestAzureResponseBeatsRequest(t *testing.T) {
	res := scan(t, []string{"../normalize/azure/testdata/request_response_conflict.json"}, Options{})
	if len(res.Findings) != 2 {
		t.Fatalf("%d findings, want one per operation", len(res.Findings))
	}
	for _, f := range res.Findings {
		if f.Severity != model.Critical {
			t.Errorf("%s: severity %s, want critical", f.Resource.Name, f.Severity)
		}
		if !slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, "differ") }) {
			t.Errorf("%s: no reason names the conflict: %q", f.Resource.Name, f.Reasons)
		}
	}
}

// TestExposureAcrossCalls: exposure split across calls (four /2 calls on
// one group and port) and a world-open prefix list created and then
// referenced by a group rule are judged world-open within one scan (issue
// 7); the reasons name the earlier calls.
func TestExposureAcrossCalls(t *testing.T) {
	for _, tc := range []struct{ file, earlier string }{
		{"testdata/split-across-calls.jsonl", "event split-0"},
		{"testdata/prefix-list-world.jsonl", "event pl-create-1"},
	} {
		res := scan(t, []string{tc.file}, Options{})
		var crit []model.Finding
		for _, f := range res.Findings {
			if f.Severity == model.Critical && f.Resource.Type == "security_group" {
				crit = append(crit, f)
			}
		}
		if len(crit) != 1 {
			t.Errorf("%s: %d critical security group findings, want 1", tc.file, len(crit))
			continue
		}
		if !slices.ContainsFunc(crit[0].Reasons, func(r string) bool { return strings.Contains(r, tc.earlier) }) {
			t.Errorf("%s: no reason names %s: %q", tc.file, tc.earlier, crit[0].Reasons)
		}
	}
}
