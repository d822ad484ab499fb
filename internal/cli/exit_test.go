package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitStatusTellsTheTruth covers the statuses the README documents
// beyond the basics in TestExitCodes: an empty or unreadable scan is not
// a clean 0, even under -q, and only the caller's mistakes are usage
// errors.
func TestExitStatusTellsTheTruth(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	garbage := write("garbage.json", []byte("{\"Records\": [tru\n"))
	truncGz := write("trunc.json.gz", []byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00})
	odd := write("unknown command here", []byte("{]"))
	// Valid JSON of no audit-log shape: the scan watched the wrong files.
	unknown := write("inventory.jsonl", []byte("{\"host\":\"web-1\",\"ports\":[22]}\n{\"host\":\"web-2\"}\n{\"host\":\"web-3\"}\n"))
	// A CloudTrail record that changes no firewall: read, nothing found.
	ct := `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventTime":"2026-03-14T10:00:00Z","eventID":"e1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/a"},"recipientAccountId":"123456789012"}`
	clean := write("clean.jsonl", []byte(ct+"\n"))
	// The same after a header line of unknown shape: the prefilter would
	// drop the CloudTrail record unread, so only decoding it shows the
	// file is an audit log.
	header := write("header.jsonl", []byte("{\"export\":\"v2\"}\n"+ct+"\n"))
	// Flow logs given to scan: not audit records, whatever their keys.
	nsgFlows := filepath.Join("..", "traffic", "testdata", "real", "azuredocs_nsg-flow-log_v2_records.json")
	vnetFlows := filepath.Join("..", "traffic", "testdata", "real", "elastic_vnet-flow-log_v4_single-record.log")
	gcpFlows := filepath.Join("..", "traffic", "testdata", "real", "otel_vpc-flow-logentries_google-service.ndjson")
	wazuhFlows := filepath.Join("..", "normalize", "testdata", "real_wazuh_gcp_flows.jsonl")
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  int
		msg   string
	}{
		{"empty stdin", "", []string{"scan", "-"}, ExitNoInput, "nothing was read"},
		{"empty stdin, quiet", "", []string{"scan", "-q", "-"}, ExitNoInput, "nothing was read"},
		{"empty folder", "", []string{"scan", "-q", empty}, ExitNoInput, "nothing was read"},
		{"every record unreadable", "", []string{"scan", "-q", garbage}, ExitNoInput, "garbage.json"},
		{"every input failing", "", []string{"scan", "-q", truncGz, garbage}, ExitNoInput, "trunc.json.gz"},
		{"one good input is enough", "", []string{"scan", "-q", garbage, samples}, ExitOK, "garbage.json"},
		{"only records of unknown shape", "", []string{"scan", "-q", unknown}, ExitNoInput, "none of a format cloudwall reads"},
		{"only records of unknown shape, on stdin", "{\"a\":1}\n{\"b\":2}\n", []string{"scan", "-q", "-"}, ExitNoInput, "none of a format cloudwall reads"},
		{"unknown shape beside a log", "", []string{"scan", "-q", unknown, samples}, ExitOK, "inventory.jsonl"},
		{"audit records, no finding", "", []string{"scan", clean}, ExitOK, "Findings:        0"},
		{"audit record after an unknown header", "", []string{"scan", "-q", header}, ExitOK, "header.jsonl"},
		{"azure nsg flow log given to scan", "", []string{"scan", "-q", nsgFlows}, ExitNoInput, "give it to --flows"},
		{"azure vnet flow log given to scan", "", []string{"scan", "-q", vnetFlows}, ExitNoInput, "give it to --flows"},
		{"gcp flow log entries given to scan", "", []string{"scan", "-q", gcpFlows}, ExitNoInput, "give it to --flows"},
		{"gcp flow log entries as Wazuh wraps them", "", []string{"scan", "-q", wazuhFlows}, ExitNoInput, "give it to --flows"},
		{"audit of unknown shape only", "", []string{"audit", "-q", unknown}, ExitNoInput, "none of a format cloudwall reads"},
		{"learn of unknown shape only", "", []string{"learn", "-q", "--store", filepath.Join(dir, "learn.db"), unknown}, ExitNoInput, "none of a format cloudwall reads"},
		{"learn of nothing readable", "", []string{"learn", "-q", "--store", filepath.Join(dir, "learn.db"), garbage}, ExitNoInput, "nothing was read"},
		{"timeline of unknown shape only", "", []string{"timeline", "-q", unknown}, ExitNoInput, "none of a format cloudwall reads"},
		// A failure mid-run whose message happens to read like cobra's
		// is still a failure, not a usage error.
		{"failure worded like a usage error", "", []string{"scan", "-q", odd}, ExitNoInput, "unknown command here"},
		{"missing path worded like a usage error", "", []string{"scan", "accepts 1 arg"}, ExitError, "accepts 1 arg"},
		{"unknown cloud in rules", "", []string{"rules", "--cloud", "oracle"}, ExitUsage, "aws, azure or gcp"},
		{"unknown cloud in scan", "", []string{"scan", "--cloud", "aws,oracle", samples}, ExitUsage, "aws, azure or gcp"},
		{"age overflowing a duration", "", []string{"scan", "--since", "106752d", samples}, ExitUsage, "too large"},
		{"bad size", "", []string{"scan", "--max-record-size", "8XB", samples}, ExitUsage, "not a size"},
		{"zero size", "", []string{"scan", "--max-record-size", "0", samples}, ExitUsage, "out of range"},
		{"unknown color", "", []string{"scan", "--color", "sometimes", samples}, ExitUsage, "auto, always or never"},
		{"extra args to rules", "", []string{"rules", "x"}, ExitUsage, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, []byte(tt.stdin), tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr does not mention %q:\n%s", tt.msg, stderr)
			}
		})
	}
}

// TestQuietNeverHidesProblems: -q drops the counters, not the problems.
func TestQuietNeverHidesProblems(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{\"eventName\": nope}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, nil, "scan", "-q", "--format", "jsonl", bad, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "bad.json record 1") || !strings.Contains(stderr, "Problems (1)") {
		t.Errorf("-q hid the problem:\n%s", stderr)
	}
	if strings.Contains(stderr, "Records:") {
		t.Errorf("-q still printed the counters:\n%s", stderr)
	}
}

// TestFailOnNamesWhatTripped: a CI log must say which findings failed it.
func TestFailOnNamesWhatTripped(t *testing.T) {
	code, out, stderr := run(t, nil, "scan", "-q", "--format", "jsonl", "--fail-on", "critical", samples)
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d: %s", code, ExitFindings, stderr)
	}
	var crit []string
	for _, f := range findings(t, out) {
		if f.Severity.String() == "critical" {
			crit = append(crit, f.ID)
		}
	}
	if len(crit) == 0 {
		t.Fatal("the samples hold no critical finding; pick another severity")
	}
	if !strings.Contains(stderr, "--fail-on critical:") {
		t.Errorf("stderr does not explain the exit:\n%s", stderr)
	}
	for _, id := range crit {
		if !strings.Contains(stderr, id) {
			t.Errorf("tripping finding %s not named on stderr:\n%s", id, stderr)
		}
	}
	if strings.Contains(stderr, "  high ") {
		t.Errorf("findings below --fail-on are listed as tripping it:\n%s", stderr)
	}
}

// TestFlagValuesIgnoreCase: values are accepted in any letter case and
// mean the same as their lower-case spelling.
func TestFlagValuesIgnoreCase(t *testing.T) {
	_, want, _ := run(t, nil, "scan", "-q", "--format", "jsonl", "--min-severity", "high", "--cloud", "aws", samples)
	code, got, stderr := run(t, nil, "scan", "-q", "--format", "JSONL", "--min-severity", "HIGH", "--cloud", "AWS", "--color", "NEVER", "--progress", "Never", "--fail-on", "Info", samples)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got != want || len(findings(t, got)) == 0 {
		t.Errorf("upper-case flag values changed the output (%d vs %d bytes)", len(got), len(want))
	}
	code, rules, stderr := run(t, nil, "rules", "--cloud", "GCP", "--json")
	if code != ExitOK || !strings.Contains(rules, `"cloud":"gcp"`) || strings.Contains(rules, `"cloud":"aws"`) {
		t.Errorf("rules --cloud GCP: exit %d, %s", code, stderr)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"8388608", 8 << 20},
		{"8MiB", 8 << 20},
		{"8mib", 8 << 20},
		{"8m", 8 << 20},
		{"8M", 8 << 20},
		{"16MB", 16_000_000},
		{"1g", 1 << 30},
		{"1GiB", 1 << 30},
		{"512k", 512 << 10},
		{"64KB", 64_000},
		{"1.5MiB", 3 << 19},
		{" 2 MiB ", 2 << 20},
		{"100b", 100},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "MiB", "8XB", "-1", "0", "2g", "1e3", "8 MiB extra", "0.1"} {
		if got, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", bad, got)
		}
	}
}

// TestMaxRecordSizeTakesUnits: the unit reaches the splitter (a 2 KiB
// limit reports a record the default limit reads).
func TestMaxRecordSizeTakesUnits(t *testing.T) {
	rec := `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","pad":"` + strings.Repeat("x", 4096) + `"}` + "\n"
	code, _, stderr := run(t, []byte(rec+rec), "scan", "--format", "jsonl", "--max-record-size", "2KiB", "-")
	if code != ExitNoInput || !strings.Contains(stderr, "2 unreadable") {
		t.Errorf("2KiB limit: exit %d:\n%s", code, stderr)
	}
	code, _, stderr = run(t, []byte(rec+rec), "scan", "--format", "jsonl", "--max-record-size", "8MiB", "-")
	if code != ExitOK || !strings.Contains(stderr, "0 unreadable") {
		t.Errorf("8MiB limit: exit %d:\n%s", code, stderr)
	}
}

// TestBadOutputPathFailsFirst: -o to a path that cannot be written fails
// before any input is read.
func TestBadOutputPathFailsFirst(t *testing.T) {
	out := filepath.Join(t.TempDir(), "no", "such", "dir", "findings.jsonl")
	stdin := &spyReader{}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"scan", "-o", out, "-"}, stdin, &stdout, &stderr)
	if code != ExitError || !strings.Contains(stderr.String(), "findings.jsonl") {
		t.Errorf("exit %d, want %d naming the path:\n%s", code, ExitError, stderr.String())
	}
	if stdin.reads > 0 {
		t.Error("input was read before the output path was checked")
	}
}

// spyReader counts reads of an input that must not be read.
type spyReader struct{ reads int }

func (s *spyReader) Read([]byte) (int, error) { s.reads++; return 0, io.EOF }

// TestFlagValuesComplete: shell completion offers each flag's values.
func TestFlagValuesComplete(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "scan", "--format", ""}, []string{"table", "jsonl", "ocsf"}},
		{[]string{"__complete", "scan", "--min-severity", ""}, []string{"info", "critical"}},
		{[]string{"__complete", "scan", "--fail-on", ""}, []string{"low", "high"}},
		{[]string{"__complete", "scan", "--cloud", ""}, []string{"aws", "azure", "gcp"}},
		{[]string{"__complete", "rules", "--cloud", ""}, []string{"aws", "azure", "gcp"}},
	}
	for _, tt := range tests {
		code, out, stderr := run(t, nil, tt.args...)
		if code != ExitOK {
			t.Errorf("%v: exit %d: %s", tt.args, code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("%v: completion lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, stderr := run(t, nil, "completion", shell)
		if code != ExitOK || !strings.Contains(out, "cloudwall") {
			t.Errorf("completion %s: exit %d, %d bytes: %s", shell, code, len(out), stderr)
		}
	}
}
