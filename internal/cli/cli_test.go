package cli

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"cloudwall/internal/model"
	"cloudwall/internal/store"
	"cloudwall/internal/testutil"
)

const samples = "../../testdata/samples"

// TestMain keeps the tests away from the user's real store: commands run
// without one unless a test names a store in t.TempDir().
func TestMain(m *testing.M) {
	os.Setenv("CLOUDWALL_STORE", "none")
	os.Exit(m.Run())
}

// run executes cloudwall with args and returns its exit code and output.
func run(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, bytes.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// findings reads jsonl output, checking each line against the published
// finding schema.
func findings(t *testing.T, jsonl string) []model.Finding {
	t.Helper()
	testutil.ValidateJSONL(t, "jsonl output", []byte(jsonl))
	var fs []model.Finding
	sc := bufio.NewScanner(strings.NewReader(jsonl))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var f model.Finding
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("bad jsonl line %q: %v", sc.Text(), err)
		}
		fs = append(fs, f)
	}
	return fs
}

// timelineFirewalls runs timeline with args and --format json and returns
// its firewalls, and the output for messages.
func timelineFirewalls(t *testing.T, args ...string) ([]model.FirewallTimeline, string) {
	t.Helper()
	code, out, stderr := run(t, nil, append([]string{"timeline", "--format", "json"}, args...)...)
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("timeline: exit %d: %s", code, stderr)
	}
	var doc struct {
		Firewalls []model.FirewallTimeline `json:"firewalls"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("timeline json: %v\n%s", err, out)
	}
	return doc.Firewalls, out
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"no paths", []string{"scan"}, ExitUsage, "at least one PATH"},
		{"unknown flag", []string{"scan", "--bogus", samples}, ExitUsage, "bogus"},
		{"unknown format", []string{"scan", "--format", "xml", samples}, ExitUsage, "unknown --format"},
		{"bad severity", []string{"scan", "--min-severity", "urgent", samples}, ExitUsage, "unknown severity"},
		{"bad since", []string{"scan", "--since", "yesterday-ish", samples}, ExitUsage, "not a time"},
		{"bad cloud", []string{"scan", "--cloud", "oracle", samples}, ExitUsage, "aws, azure or gcp"},
		{"negative short window", []string{"scan", "--short-window", "-1h", samples}, ExitUsage, "--short-window must not be negative"},
		{"unknown command", []string{"scna"}, ExitUsage, "unknown command"},
		{"missing path", []string{"scan", "does/not/exist"}, ExitError, "does/not/exist"},
		{"bad content file", []string{"scan", "--content", "does/not/exist.yaml", samples}, ExitError, "exist.yaml"},
		{"fail-on hit", []string{"scan", "-q", "--format", "jsonl", "--fail-on", "high", samples}, ExitFindings, ""},
		{"fail-on not hit", []string{"scan", "-q", "--format", "jsonl", "--fail-on", "critical", "--cloud", "gcp", "--until", "2000-01-01", samples}, ExitOK, ""},
		{"clean scan", []string{"scan", "-q", "--format", "jsonl", samples}, ExitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, nil, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.msg)
			}
		})
	}
}

// TestSamplesGolden pins the findings for the bundled samples in the
// machine formats. Review a diff like code; rewrite with -update.
func TestSamplesGolden(t *testing.T) {
	for _, format := range []string{"jsonl", "csv", "ocsf"} {
		t.Run(format, func(t *testing.T) {
			code, out, stderr := run(t, nil, "scan", "-q", "--min-severity", "info", "--format", format, samples)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if format == "jsonl" {
				testutil.ValidateJSONL(t, "samples.jsonl", []byte(out))
			}
			if format == "ocsf" {
				// created_time is when the scan ran.
				out = createdTime.ReplaceAllString(out, `"created_time":0,"first_seen_time"`)
			}
			testutil.Golden(t, filepath.Join("testdata", "samples."+format), []byte(out))
		})
	}
}

// The table of the bundled samples as it looks at 80, 120 and 200
// columns ($COLUMNS stands in for the terminal).
func TestSamplesTableGolden(t *testing.T) {
	for _, width := range []string{"80", "120", "200"} {
		t.Run(width, func(t *testing.T) {
			t.Setenv("COLUMNS", width)
			code, out, stderr := run(t, nil, "scan", "--format", "table", "--color", "never", samples)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			table, _, _ := strings.Cut(out, "\nFiles:")
			testutil.Golden(t, filepath.Join("testdata", "samples.table-"+width), []byte(table))
		})
	}
}

// --show prints the finding whose id starts with the given prefix in full;
// -v prints every finding so.
func TestShowAndVerbose(t *testing.T) {
	_, out, _ := run(t, nil, "scan", "-q", "--format", "jsonl", samples)
	all := findings(t, out)
	if len(all) < 2 {
		t.Fatal("samples give fewer than two findings")
	}
	f := all[1]
	code, out, stderr := run(t, nil, "scan", "--show", strings.ToUpper(f.ID[:7]), samples)
	if code != ExitOK {
		t.Fatalf("--show: exit %d: %s", code, stderr)
	}
	for _, want := range append([]string{f.ID, f.Title, f.Rule, "Investigate:", "Respond:"}, f.Reasons...) {
		if !strings.Contains(out, want) {
			t.Errorf("--show output lacks %q:\n%s", want, out)
		}
	}
	// Another finding's id may appear as a related finding, never as a
	// finding printed in full.
	if strings.Contains(out, "ID:         "+all[0].ID) || strings.Count(out, "  ID: ") != 1 {
		t.Errorf("--show %s printed another finding (%s)", f.ID[:7], all[0].ID)
	}
	code, out, _ = run(t, nil, "scan", "-v", samples)
	if code != ExitOK {
		t.Fatalf("-v: exit %d", code)
	}
	for _, g := range all {
		if !strings.Contains(out, g.ID) || !strings.Contains(out, g.Reasons[0]) {
			t.Errorf("-v output lacks finding %s or its reasons", g.ID)
		}
	}
	// --show with an explicit format filters that format.
	_, out, _ = run(t, nil, "scan", "-q", "--format", "jsonl", "--show", f.ID[:7], samples)
	if got := findings(t, out); len(got) != 1 || got[0].ID != f.ID {
		t.Errorf("--show --format jsonl gave %d findings", len(got))
	}
	code, _, stderr = run(t, nil, "scan", "--show", "zzzzzzz", samples)
	if code != ExitUsage || !strings.Contains(stderr, "zzzzzzz") {
		t.Errorf("--show of an unknown id: exit %d, %q", code, stderr)
	}
}

var createdTime = regexp.MustCompile(`"created_time":[0-9]+,"first_seen_time"`)

// --format json of the samples follows the published report schema, and
// its findings the finding schema.
func TestSamplesJSONSchema(t *testing.T) {
	code, out, stderr := run(t, nil, "scan", "-q", "--min-severity", "info", "--format", "json", samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	testutil.Validate(t, testutil.ReportSchema, "samples json", []byte(out))
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, nil, "version")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	// go test records no VCS stamp and builds the main module as (devel):
	// the command says so rather than inventing a version.
	for _, want := range []string{"cloudwall (devel)\n", "revision: unknown", "go: go1."} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
	var b strings.Builder
	writeVersion(&b, buildVersion{Version: "v1.2.0", Revision: "0123456789abcdef0123", Time: "2026-12-01T10:00:00Z", Modified: true, Go: "go1.26.0"})
	for _, want := range []string{"cloudwall v1.2.0\n", "revision: 0123456789abcdef0123 (modified", "commit time: 2026-12-01T10:00:00Z"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("version output lacks %q:\n%s", want, b.String())
		}
	}
	if got := (buildVersion{Version: "v1.2.0", Revision: "0123456789abcdef0123", Modified: true}).String(); got != "v1.2.0 (0123456789ab-dirty)" {
		t.Errorf("String() = %q", got)
	}
	_, out, _ = run(t, nil, "--version")
	if !strings.Contains(out, "(devel)") {
		t.Errorf("--version = %q", out)
	}
}

// A binary built with go build in this git work tree knows its revision.
func TestVersionOfBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git work tree: %v", err)
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skip(err)
	}
	// Go stamps VCS information only where .git is a folder: a clone, not
	// a linked worktree (whose .git is a file).
	if fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git")); err != nil || !fi.IsDir() {
		t.Skip("a linked git worktree: go build records no VCS information here")
	}
	bin := filepath.Join(t.TempDir(), "cloudwall")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/cloudwall")
	// GOFLAGS may turn stamping off (-buildvcs=false); this test is about it.
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "revision: "+strings.TrimSpace(string(head))) {
		t.Errorf("version of a built binary lacks revision %s:\n%s", head, out)
	}
}

func TestSamplesCoverAllClouds(t *testing.T) {
	_, out, _ := run(t, nil, "scan", "-q", "--format", "jsonl", samples)
	fs := findings(t, out)
	byCloud := map[model.Cloud]model.Severity{}
	for _, f := range fs {
		byCloud[f.Cloud] = max(byCloud[f.Cloud], f.Severity)
		if f.ID == "" || f.Rule == "" || f.Title == "" || len(f.Reasons) == 0 || !slices.Equal(f.Attack, model.AttackIDs) {
			t.Errorf("finding lacks contract fields: %+v", f)
		}
	}
	for _, c := range []model.Cloud{model.AWS, model.Azure, model.GCP} {
		if byCloud[c] < model.High {
			t.Errorf("%s: highest finding %s, want a high or critical planted attack", c, byCloud[c])
		}
	}
}

func TestFormatsAllWork(t *testing.T) {
	for _, format := range []string{"table", "json", "jsonl", "csv", "markdown", "ocsf"} {
		code, out, stderr := run(t, nil, "scan", "--format", format, samples)
		if code != ExitOK || len(out) == 0 {
			t.Errorf("%s: exit %d, %d bytes; %s", format, code, len(out), stderr)
		}
		if format == "table" && !strings.Contains(out, "Records:") {
			t.Errorf("table output lacks the summary:\n%s", out)
		}
		if format != "table" && !strings.Contains(stderr, "Records:") {
			t.Errorf("%s: no summary on stderr: %q", format, stderr)
		}
	}
}

func TestFilters(t *testing.T) {
	_, all, _ := run(t, nil, "scan", "-q", "--format", "jsonl", "--min-severity", "info", samples)
	total := findings(t, all)
	_, gcpOnly, _ := run(t, nil, "scan", "-q", "--format", "jsonl", "--min-severity", "info", "--cloud", "gcp", samples)
	g := findings(t, gcpOnly)
	if len(g) == 0 || len(g) >= len(total) {
		t.Errorf("--cloud gcp gave %d of %d findings", len(g), len(total))
	}
	for _, f := range g {
		if f.Cloud != model.GCP {
			t.Errorf("--cloud gcp let through %s", f.Cloud)
		}
	}
	_, future, _ := run(t, nil, "scan", "-q", "--format", "jsonl", "--since", "2099-01-01", samples)
	if len(findings(t, future)) != 0 {
		t.Error("--since in the future still reported findings")
	}
	_, high, _ := run(t, nil, "scan", "-q", "--format", "jsonl", "--min-severity", "high", samples)
	for _, f := range findings(t, high) {
		if f.Severity < model.High {
			t.Errorf("--min-severity high let through %s", f.Severity)
		}
	}
}

// TestInputFormsAgree scans the same AWS sample as a plain file, gzip,
// zstd, a tar.gz member and stdin: the findings must be the same.
func TestInputFormsAgree(t *testing.T) {
	src := firstFile(t, filepath.Join(samples, "aws"))
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var gz, zs, tgz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	enc, _ := zstd.NewWriter(&zs)
	enc.Write(data)
	enc.Close()
	tgw := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(tgw)
	tw.WriteHeader(&tar.Header{Name: "AWSLogs/x.json", Mode: 0o600, Size: int64(len(data)), Typeflag: tar.TypeReg})
	tw.Write(data)
	tw.Close()
	tgw.Close()

	keysOf := func(args ...string) []string {
		code, out, stderr := run(t, gz.Bytes(), append([]string{"scan", "-q", "--format", "jsonl", "--min-severity", "info"}, args...)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var keys []string
		for _, f := range findings(t, out) {
			keys = append(keys, f.Rule+"|"+f.Event.EventID+"|"+f.Severity.String())
		}
		slices.Sort(keys)
		return keys
	}
	want := keysOf(src)
	if len(want) == 0 {
		t.Fatalf("%s gave no findings", src)
	}
	for name, path := range map[string]string{
		"gzip without suffix": write("trail", gz.Bytes()),
		"zstd":                write("trail.zst", zs.Bytes()),
		"tar.gz":              write("logs.tar.gz", tgz.Bytes()),
		"stdin gzip":          "-",
	} {
		if got := keysOf(path); !slices.Equal(got, want) {
			t.Errorf("%s: findings %v, want %v", name, got, want)
		}
	}
}

func firstFile(t *testing.T, root string) string {
	t.Helper()
	var found string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && found == "" && d.Type().IsRegular() && strings.HasSuffix(p, ".json") {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no .json file under %s", root)
	}
	return found
}

// TestBadInputNeverStopsTheScan mixes broken inputs with a good one: the
// good findings survive, each problem is named with its file, and the scan
// exits 0.
func TestBadInputNeverStopsTheScan(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(firstFile(t, filepath.Join(samples, "aws")))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for range 50 {
		zw.Write(good)
		zw.Write([]byte("\n"))
	}
	zw.Close()
	files := map[string][]byte{
		"good.json":         good,
		"truncated.json.gz": gz.Bytes()[:gz.Len()/2],
		"invalid.json":      []byte("{\"Records\":[{\"eventName\": tru}]}\n"),
		"wrongtypes.json":   []byte(`{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":{"x":1},"eventTime":42}` + "\n"),
		"hugefield.json":    []byte(`{"eventName":"AuthorizeSecurityGroupIngress","eventSource":"ec2.amazonaws.com","x":"` + strings.Repeat("A", 10<<20) + `"}` + "\n"),
		"notes.txt":         []byte("these are not logs\n"),
		"binary.bin":        {0x00, 0x01, 0xff, 0xfe},
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := run(t, nil, "scan", "--format", "json", "--min-severity", "info", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Findings []model.Finding `json:"findings"`
		Summary  model.Summary   `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	fromGood := 0
	for _, f := range doc.Findings {
		if strings.HasSuffix(f.Event.File, "good.json") {
			fromGood++
		}
	}
	if fromGood == 0 {
		t.Error("the good file's findings were lost")
	}
	if doc.Summary.Unreadable < 5 {
		t.Errorf("unreadable = %d, want at least 5", doc.Summary.Unreadable)
	}
	for _, name := range []string{"truncated.json.gz", "invalid.json", "wrongtypes.json", "hugefield.json", "notes.txt", "binary.bin"} {
		if !strings.Contains(stderr, name) {
			t.Errorf("summary on stderr does not name %s:\n%s", name, stderr)
		}
	}
}

// TestContentOverrideExample keeps the documented example valid and shows
// its effect: a world-open port in no class is high under the example.
func TestContentOverrideExample(t *testing.T) {
	dir := t.TempDir()
	rec := `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2026-03-01T00:00:00Z","eventID":"x1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":8443,"toPort":8443,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}`
	path := filepath.Join(dir, "e.json")
	if err := os.WriteFile(path, []byte(rec), 0o600); err != nil {
		t.Fatal(err)
	}
	sev := func(args ...string) model.Severity {
		code, out, stderr := run(t, nil, append([]string{"scan", "-q", "--format", "jsonl", "--min-severity", "info"}, args...)...)
		fs := findings(t, out)
		if code != ExitOK || len(fs) != 1 {
			t.Fatalf("exit %d, %d findings: %s", code, len(fs), stderr)
		}
		return fs[0].Severity
	}
	if got := sev(path); got != model.Medium {
		t.Errorf("default content: %s, want medium", got)
	}
	if got := sev("--content", "../../docs/examples/content-override.yaml", path); got != model.High {
		t.Errorf("with the example override: %s, want high", got)
	}
}

// TestStdinIsCounted: bytes read from stdin appear in the summary.
func TestStdinIsCounted(t *testing.T) {
	data, err := os.ReadFile(firstFile(t, filepath.Join(samples, "aws")))
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, data, "scan", "-q", "--format", "json", "-")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Summary model.Summary `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Summary.Bytes != int64(len(data)) || doc.Summary.Records == 0 {
		t.Errorf("summary bytes %d records %d, want %d bytes", doc.Summary.Bytes, doc.Summary.Records, len(data))
	}
}

func TestRulesCommand(t *testing.T) {
	code, out, stderr := run(t, nil, "rules", "--cloud", "azure")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "az-nsg-rule-write") || strings.Contains(out, "aws-sg-ingress-change") {
		t.Errorf("rules --cloud azure:\n%s", out)
	}
	code, out, _ = run(t, nil, "rules", "--json", "--content", "../../docs/examples/content-override.yaml")
	if code != ExitOK {
		t.Fatalf("rules --json: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var first struct {
		ID         string   `json:"id"`
		Operations []string `json:"operations"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.ID == "" || len(first.Operations) == 0 || len(lines) < 100 {
		t.Errorf("rules --json: %d lines, first %+v, %v", len(lines), first, err)
	}
}

// TestConfiguredAutomationAndApprovals is the acceptance test: a
// corpus whose changes all come from a configured Terraform role has no
// finding above low except world-open admin/data ports, which stay high;
// the same corpus inside an approval record is all low with the ticket.
func TestConfiguredAutomationAndApprovals(t *testing.T) {
	corpus := "../../testdata/context/terraform"
	scan := func(cfg string) []model.Finding {
		t.Helper()
		code, out, errOut := run(t, nil, "scan", "--format", "jsonl", "--min-severity", "info", "--config", cfg, corpus)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		return findings(t, out)
	}
	fs := scan("../../testdata/context/terraform.yaml")
	if len(fs) != 7 {
		t.Fatalf("%d findings, want 6 and their mass change", len(fs))
	}
	for _, f := range fs {
		if f.Rule == "mass-change" {
			if f.Severity != model.Low || len(f.Related) != 6 {
				t.Errorf("mass change of configured automation: %s, %d related; want low, 6", f.Severity, len(f.Related))
			}
			continue
		}
		worldAdminData := strings.Contains(f.Title, "internet on 22/tcp") || strings.Contains(f.Title, "internet on 5432/tcp")
		switch {
		case worldAdminData && f.Severity != model.High:
			t.Errorf("%s: %s, want high (world-open admin/data port)", f.Title, f.Severity)
		case !worldAdminData && f.Severity > model.Low:
			t.Errorf("%s: %s, want at most low (configured automation)", f.Title, f.Severity)
		}
		if !slices.Contains(f.Tags, "iac") {
			t.Errorf("%s: tags %v lack iac", f.Title, f.Tags)
		}
	}
	for _, f := range scan("../../testdata/context/terraform-approved.yaml") {
		if f.Rule == "mass-change" && f.Severity == model.Low {
			continue // the sequence of approved changes; its members show the ticket
		}
		if f.Severity > model.Low || f.Approval == nil || f.Approval.Ticket != "CHG-2001" || f.Approval.Status != model.Approved {
			t.Errorf("%s: %s, approval %+v; want low inside CHG-2001", f.Title, f.Severity, f.Approval)
		}
	}
}

// TestShowSuppressed: suppressed findings are counted, listed on request,
// and an expired suppression is named in the summary.
func TestShowSuppressed(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cloudwall.yaml")
	body := "suppressions:\n" +
		"  - {id: ssh, owner: secops, reason: bastion, expires: 2999-01-01, match: {resources: [sg-0a1b2c3d4e5f60002]}}\n" +
		"  - {id: old, owner: netops, reason: gone, expires: 2001-01-01, match: {resources: [sg-0a1b2c3d4e5f60003]}}\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	corpus := "../../testdata/context/terraform"
	_, out, errOut := run(t, nil, "scan", "--format", "jsonl", "--config", cfg, corpus)
	for _, f := range findings(t, out) {
		if f.Resource.ID == "sg-0a1b2c3d4e5f60002" {
			t.Errorf("suppressed finding shown: %s", f.Title)
		}
	}
	for _, w := range []string{"1 suppressed (list them with --show-suppressed)", "suppression old (owner netops", "expired on 2001-01-01"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("summary lacks %q:\n%s", w, errOut)
		}
	}
	_, out, errOut = run(t, nil, "scan", "--format", "jsonl", "--show-suppressed", "--config", cfg, corpus)
	if !strings.Contains(errOut, "1 suppressed (listed, tagged suppressed)") {
		t.Errorf("with --show-suppressed the summary still asks for it:\n%s", errOut)
	}
	found := false
	for _, f := range findings(t, out) {
		if f.Resource.ID == "sg-0a1b2c3d4e5f60002" {
			found = f.Suppression != nil && f.Suppression.ID == "ssh" && slices.Contains(f.Tags, "suppressed")
		}
	}
	if !found {
		t.Error("--show-suppressed does not list the suppressed finding with its suppression")
	}
}

// TestStoreTwice: the same corpus scanned twice with a store gives the
// same findings, and the store holds each finding once.
func TestStoreTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "history", "cloudwall.db")
	var outs []string
	for range 2 {
		code, out, errOut := run(t, nil, "scan", "--store", db, "--format", "jsonl", "--min-severity", "info", samples)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Error("the second scan with the store differs from the first")
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.CountFindings(context.Background())
	if want := int64(len(findings(t, outs[0]))); err != nil || n != want {
		t.Errorf("store holds %d findings, %v; want %d", n, err, want)
	}
	if code, _, _ := run(t, nil, "scan", "--store", db, "--no-store", samples); code != ExitUsage {
		t.Errorf("--store with --no-store: exit %d", code)
	}
}

// TestTimelineGolden pins `cloudwall timeline` of the bundled samples in
// every format. Review a diff like code; rewrite with -update.
func TestTimelineGolden(t *testing.T) {
	for _, format := range []string{"table", "json", "jsonl", "markdown"} {
		t.Run(format, func(t *testing.T) {
			code, out, stderr := run(t, nil, "timeline", "-q", "--color", "never", "--min-severity", "info", "--format", format, samples)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			testutil.Golden(t, filepath.Join("testdata", "timeline."+format), []byte(out))
		})
	}
}

func TestTimelineExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"timeline"}, ExitUsage},
		{[]string{"timeline", "--format", "csv", samples}, ExitUsage},
		{[]string{"timeline", "--short-window", "-1h", samples}, ExitUsage},
		{[]string{"timeline", "-q", "--format", "jsonl", "--fail-on", "critical", samples}, ExitFindings},
		{[]string{"timeline", "-q", "--format", "jsonl", "--fail-on", "critical", "--cloud", "gcp", "--min-severity", "high", "--until", "2000-01-01", samples}, ExitOK},
		{[]string{"timeline", "does/not/exist"}, ExitError},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, nil, tt.args...)
		if code != tt.want {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", tt.args, code, tt.want, stderr)
		}
	}
}

// timeline ends as scan does: nothing read is exit 4 also under -q, -q
// keeps the problems, and --fail-on names the firewalls that tripped it.
func TestTimelineEndsAsScan(t *testing.T) {
	unknown := filepath.Join(t.TempDir(), "inventory.jsonl")
	if err := os.WriteFile(unknown, []byte("{\"host\":\"web-1\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  int
		msg   []string
	}{
		{"empty stdin", "", []string{"timeline", "-q", "-"}, ExitNoInput, []string{"nothing was read"}},
		{"unknown shape only", "", []string{"timeline", "-q", unknown}, ExitNoInput, []string{"inventory.jsonl", "none of a format cloudwall reads"}},
		{"unknown shape beside logs: problem kept under -q", "", []string{"timeline", "-q", "--format", "jsonl", unknown, samples}, ExitOK, []string{"inventory.jsonl"}},
		{"fail-on names the firewalls", "", []string{"timeline", "-q", "--format", "jsonl", "--fail-on", "critical", samples}, ExitFindings,
			[]string{"--fail-on critical: 3 firewalls", "sg-0c1d2e3f4a5b6c7d8 (aws 123456789012)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, []byte(tt.stdin), tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			for _, m := range tt.msg {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr)
				}
			}
		})
	}
}

// The window the samples hold: the ssh rule opened at 10:01:47 and never
// closed, judged critical, with the command that closes it.
func TestTimelineWindowOnSamples(t *testing.T) {
	code, out, stderr := run(t, nil, "timeline", "-q", "--format", "jsonl", "--cloud", "aws", samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var first model.FirewallTimeline
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Firewall.ID != "sg-0c1d2e3f4a5b6c7d8" || first.Severity != model.Critical || len(first.Windows) == 0 {
		t.Fatalf("most exposed firewall: %+v", first)
	}
	w := first.Windows[0]
	if w.End != nil || !w.StartKnown || w.Opened == nil || w.Opened.Actor.Name != "svc-backup" || len(w.Rollback) == 0 {
		t.Errorf("window %+v", w)
	}
}

// With a baseline, the sample's deletion of NACL entry 90 is judged by
// what the entry was: the deny in front of an allow-all, so port 22 opens
// to the internet (critical), with the entry before and the command that
// puts it back.
func TestScanBaselineNACLDeny(t *testing.T) {
	dir := t.TempDir()
	snap := `{"NetworkAcls":[{"NetworkAclId":"acl-0b7c6d5e4f3a2b1c0","VpcId":"vpc-1","IsDefault":false,"OwnerId":"123456789012","Associations":[],"Entries":[
{"RuleNumber":90,"Protocol":"6","Egress":false,"CidrBlock":"0.0.0.0/0","RuleAction":"deny","PortRange":{"From":22,"To":22}},
{"RuleNumber":100,"Protocol":"-1","Egress":false,"CidrBlock":"0.0.0.0/0","RuleAction":"allow"},
{"RuleNumber":32767,"Protocol":"-1","Egress":false,"CidrBlock":"0.0.0.0/0","RuleAction":"deny"}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "nacls.json"), []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, nil, "scan", "-q", "--format", "jsonl", "--min-severity", "info", "--baseline", dir, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range decodeFindings(t, out) {
		if f.Operation != "DeleteNetworkAclEntry" {
			continue
		}
		if f.Severity != model.Critical || f.Before == nil || !f.Before.Known || len(f.Before.Rules) != 1 || f.Before.Rules[0].Action != model.Deny || f.Window == nil {
			t.Fatalf("finding %s %+v before %+v window %v", f.Severity, f.Reasons, f.Before, f.Window)
		}
		if len(f.Rollback) == 0 || !strings.HasPrefix(f.Rollback[0], "aws ec2 create-network-acl-entry --region us-east-1 --network-acl-id acl-0b7c6d5e4f3a2b1c0 --ingress --rule-number 90 --protocol 6 --port-range From=22,To=22") {
			t.Errorf("rollback %q", f.Rollback)
		}
		return
	}
	t.Fatal("no DeleteNetworkAclEntry finding")
}

func decodeFindings(t *testing.T, out string) []model.Finding {
	t.Helper()
	var fs []model.Finding
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var f model.Finding
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		fs = append(fs, f)
	}
	return fs
}
