package pipeline

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// attackLine is the Stratus Red Team SSH-to-the-world fixture as one JSON
// line: the critical record a hostile first record must not hide.
func attackLine(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../normalize/aws/testdata/ec2_authorize_ingress_flat_stratus.json")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSkippedFirstRecordHidesNothing: a stream whose first record is a
// kind cloudwall skips (a custom EventBridge event, an Insights record, an
// empty Pub/Sub pull) skips that record only; the attack after it is found
// and the skip is counted.
func TestSkippedFirstRecordHidesNothing(t *testing.T) {
	atk := attackLine(t)
	firsts := map[string]string{
		"eventbridge":  `{"version":"0","id":"1","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"1","time":"2022-06-01T12:00:00Z","region":"us-east-1","resources":[],"detail":{"state":"running"}}`,
		"insights":     `{"eventVersion":"1.07","eventTime":"2022-06-01T12:00:00Z","awsRegion":"us-east-1","eventID":"i1","eventType":"AwsCloudTrailInsight","recipientAccountId":"1","sharedEventID":"s1","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","insightType":"ApiCallRateInsight"},"eventCategory":"Insight"}`,
		"empty pull":   `{"receivedMessages":[]}`,
		"digest":       `{"awsAccountId":"1","digestStartTime":"2022-06-01T11:00:00Z","digestEndTime":"2022-06-01T12:00:00Z","logFiles":[]}`,
		"records file": `{"Records":[` + `{"eventVersion":"1.07","eventType":"AwsCloudTrailInsight","insightDetails":{"state":"Start"}}` + `,` + atk + `]}`,
	}
	for name, first := range firsts {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			text := first + "\n" + atk + "\n"
			if name == "records file" {
				text = first
			}
			if err := os.WriteFile(filepath.Join(dir, "bus.json"), []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, large := range []int64{0, 1} {
				res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}, LargeInput: large})
				if len(res.Findings) != 1 || res.Findings[0].Severity != model.Critical {
					t.Fatalf("large=%d: findings %+v, want the critical attack after the skipped record", large, res.Findings)
				}
				if s := res.Summary; s.Records != 2 || s.Skipped != 1 {
					t.Errorf("large=%d: records %d skipped %d, want 2 and 1", large, s.Records, s.Skipped)
				}
			}
		})
	}
}

// TestNestingBombIsReportedAndPassed: a gzip of 64 MiB of '[' on one line
// (and a record nesting past the limit on another) is reported, and the
// attack on the line after it is found.
func TestNestingBombIsReportedAndPassed(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "bomb.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	chunk := []byte(strings.Repeat("[", 1<<20))
	for range 64 {
		zw.Write(chunk)
	}
	zw.Write([]byte("\n{\"a\":" + strings.Repeat("[", 600) + strings.Repeat("]", 600) + "}\n" + attackLine(t) + "\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}})
	if len(res.Findings) != 1 || res.Findings[0].Severity != model.Critical {
		t.Fatalf("findings %+v, want the attack after the bomb", res.Findings)
	}
	s := res.Summary
	if s.Unreadable != 2 || len(s.Problems) != 2 || !strings.Contains(s.Problems[0].Message, "nested more than") {
		t.Errorf("unreadable %d, problems %+v; want both bombs reported", s.Unreadable, s.Problems)
	}
}

// TestBadMembersAndPathsAreReported: in a folder, a dangling link and an
// archive whose member 0 cannot be read are reported, one problem each,
// and the attack in the archive's member 1 is found.
func TestBadMembersAndPathsAreReported(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range []struct{ name, data string }{
		{"0.json.xz", "\xfd7zXZ\x00\x00\x00"},
		{"1.json", attackLine(t) + "\n"},
	} {
		tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg})
		tw.Write([]byte(m.data))
	}
	tw.Close()
	if err := os.WriteFile(filepath.Join(dir, "logs.tar"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("gone.json", filepath.Join(dir, "dangling.json")); err != nil {
		t.Skip(err)
	}
	res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}})
	if len(res.Findings) != 1 || res.Findings[0].Severity != model.Critical {
		t.Fatalf("findings %+v, want the attack in member 1", res.Findings)
	}
	var msgs []string
	for _, p := range res.Summary.Problems {
		msgs = append(msgs, filepath.Base(p.File)+": "+strings.ReplaceAll(p.Message, dir+"/", ""))
	}
	if len(msgs) != 2 || !strings.Contains(msgs[0], "dangling.json: open") || !strings.Contains(msgs[1], "logs.tar!0.json.xz: xz compression is not supported") {
		t.Errorf("problems %q, want the dangling link and member 0", msgs)
	}
	if s := res.Summary; s.Files != 2 || s.FilesFailed != 1 {
		t.Errorf("files %d, failed %d; want 2 and 1", s.Files, s.FilesFailed)
	}
}

// TestCaseVariantKeysAlwaysFindTheAttack: a record whose eventName is
// given twice in different letter case (one benign, one the attack) gives
// the critical finding on every run.
func TestCaseVariantKeysAlwaysFindTheAttack(t *testing.T) {
	atk := attackLine(t)
	line := strings.Replace(atk, `"eventName":"AuthorizeSecurityGroupIngress"`, `"EVENTNAME":"DescribeSecurityGroups","EventName":"AuthorizeSecurityGroupIngress"`, 1)
	if line == atk {
		t.Fatal("fixture changed: no eventName to vary")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "v.json"), []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for run := 0; run < 10; run++ {
		res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}})
		if len(res.Findings) != 1 || res.Findings[0].Severity != model.Critical {
			t.Fatalf("run %d: findings %+v, want the critical attack", run, res.Findings)
		}
	}
}

// TestForgedCopyKeepsTheAttack: records an attacker writes beside the
// real one, reusing its eventID, neither hide it nor lower it: a copy
// that claims the call failed (before or after it, in the same file or
// another, in memory or spilled) leaves the critical finding, saying the
// records disagree; another call or group under the same id is its own
// event, with its own finding id.
func TestForgedCopyKeepsTheAttack(t *testing.T) {
	atk := attackLine(t)
	failed := strings.Replace(atk, `"eventName":"AuthorizeSecurityGroupIngress"`, `"eventName":"AuthorizeSecurityGroupIngress","errorCode":"Client.UnauthorizedOperation","errorMessage":"forged"`, 1)
	other := strings.Replace(atk, `"eventName":"AuthorizeSecurityGroupIngress"`, `"eventName":"DeleteSecurityGroup"`, 1)
	otherGroup := strings.ReplaceAll(atk, "sg-003dc7f1f1c686164", "sg-0aaaaaaaaaaaaaaaa")
	if failed == atk || other == atk || otherGroup == atk {
		t.Fatal("fixture changed: no eventName or group to vary")
	}
	files := map[string][]string{
		"failed copy after":  {atk + "\n" + failed + "\n"},
		"failed copy before": {failed + "\n" + atk + "\n"},
		"other file":         {failed + "\n", atk + "\n"},
		"other call":         {other + "\n" + atk + "\n"},
		"other group":        {otherGroup + "\n" + atk + "\n"},
	}
	for name, texts := range files {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for i, text := range texts {
				if err := os.WriteFile(filepath.Join(dir, "f"+string(rune('a'+i))+".json"), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for _, held := range []int{0, 1} {
				res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}, MaxHeld: held})
				wantCrit := 1
				if name == "other group" {
					wantCrit = 2
				}
				var all, crit []model.Finding
				if err := res.EachFinding(func(f model.Finding) error { all = append(all, f); return nil }); err != nil {
					t.Fatal(err)
				}
				for _, f := range all {
					if f.Severity == model.Critical {
						crit = append(crit, f)
					}
				}
				if len(crit) != wantCrit || crit[0].Outcome != model.Success {
					t.Fatalf("max-held %d: findings %+v, want %d critical, applied", held, all, wantCrit)
				}
				wantOther := name == "other call" || name == "other group"
				if gotOther := len(all) == 2; gotOther != wantOther {
					t.Errorf("max-held %d: %d findings; the other call has its own: %v", held, len(all), wantOther)
				}
				if len(all) == 2 && all[0].ID == all[1].ID {
					t.Errorf("max-held %d: two operations share the finding id %s (the store would keep one)", held, all[0].ID)
				}
			}
		})
	}
}

// TestServiceUserAgentLowersNothing: a user agent naming an AWS service
// (which CloudTrail writes in invokedBy or sourceIPAddress when a service
// acts) is the caller's to choose: on its own it lowers nothing.
func TestServiceUserAgentLowersNothing(t *testing.T) {
	atk := attackLine(t)
	i := strings.Index(atk, `"userAgent":"`)
	if i < 0 {
		t.Fatal("fixture changed: no userAgent")
	}
	j := i + len(`"userAgent":"`) + strings.IndexByte(atk[i+len(`"userAgent":"`):], '"')
	for _, ua := range []string{"cloudformation.amazonaws.com", "elasticloadbalancing.amazonaws.com", "fms.amazonaws.com", "eks.amazonaws.com"} {
		t.Run(ua, func(t *testing.T) {
			line := atk[:i] + `"userAgent":"` + ua + atk[j:]
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "ua.json"), []byte(line+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}})
			if len(res.Findings) != 1 || res.Findings[0].Severity != model.Critical || res.Findings[0].Actor.ViaService != "" {
				t.Fatalf("findings %+v, want the critical attack, no acting service", res.Findings)
			}
		})
	}
}

// recordArrays are the containers of a list of records: a CloudTrail
// Records file, an Azure Event Hubs or REST list, a bare array.
func recordArrays() map[string]func(elems []string) string {
	return map[string]func(elems []string) string{
		"aws Records":   func(e []string) string { return `{"Records":[` + strings.Join(e, ",") + `]}` },
		"azure records": func(e []string) string { return `{"records":[` + strings.Join(e, ",") + `]}` },
		"azure value":   func(e []string) string { return `{"value":[` + strings.Join(e, ",") + `],"nextLink":null}` },
		"array":         func(e []string) string { return `[` + strings.Join(e, ", ") + `]` },
	}
}

// TestBadElementHidesNothing: in an array of records (a CloudTrail
// Records file, an Azure Event Hubs or REST list, a bare array), one
// element that is no record (a null, a number, an array, a value nested
// past the limit) is one unreadable record, reported with its position:
// the records before and after it, on the same line, are all scanned.
func TestBadElementHidesNothing(t *testing.T) {
	atk := attackLine(t)
	azure := azureRecords(t)
	good := append([]string{atk}, azure...)
	containers := recordArrays()
	for name, c := range map[string]func(elems []string) string{
		"after a key": func(e []string) string {
			return `{"messageType":"DATA_MESSAGE","logEvents":[` + strings.Join(e, ",") + `]}`
		},
		"pretty": func(e []string) string {
			return "{\n  \"Records\": [\n    " + strings.Join(e, ",\n    ") + "\n  ]\n}\n"
		},
	} {
		containers[name] = c
	}
	bads := map[string]string{
		"null":         `null`,
		"number":       `1`,
		"string":       `"x"`,
		"true":         `true`,
		"empty array":  `[]`,
		"array":        `[` + atk + `]`,
		"deep array":   strings.Repeat("[", 600) + `"]}\"["` + strings.Repeat("]", 600),
		"deep in body": `{"eventName":` + strings.Repeat(`[{"a":`, 300) + `1` + strings.Repeat(`}]`, 300) + `}`,
	}
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	for cname, container := range containers {
		control := scanText(t, c, container(good), 0)
		if len(control.Findings) < 2 || control.Findings[0].Severity != model.Critical {
			t.Fatalf("%s: control findings %+v, want the attacks", cname, control.Findings)
		}
		for bname, bad := range bads {
			// First (it decides nothing for the rest) and later (where the
			// prefilter once dropped it unseen).
			for _, pos := range []int{0, 2} {
				elems := slices.Insert(slices.Clone(good), pos, bad)
				for _, large := range []int64{0, 1} {
					res := scanText(t, c, container(elems), large)
					name := fmt.Sprintf("%s, %s at %d, large=%d", cname, bname, pos, large)
					if got, want := findingTitles(res), findingTitles(control); got != want {
						t.Errorf("%s: findings\n%s\nwant\n%s", name, got, want)
					}
					s := res.Summary
					if s.Records != control.Summary.Records+1 || s.Unreadable != 1 || len(s.Problems) != 1 {
						t.Errorf("%s: records %d unreadable %d problems %+v; want %d, 1 and the bad element", name, s.Records, s.Unreadable, s.Problems, control.Summary.Records+1)
						continue
					}
					if p := s.Problems[0]; p.Index != int64(pos) || filepath.Base(p.File) != "in.json" {
						t.Errorf("%s: problem %+v, want in.json record %d", name, p, pos)
					}
				}
			}
		}
	}
}

// azureRecords is the Event Hubs fixture of an NSG rule opening RDP to
// the internet, as one compact JSON text per record.
func azureRecords(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../normalize/azure/testdata/eventhub_securityrule_rdp.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Records []json.RawMessage }
	if err := json.Unmarshal(raw, &file); err != nil || len(file.Records) == 0 {
		t.Fatalf("fixture: %v", err)
	}
	var out []string
	for _, r := range file.Records {
		var b bytes.Buffer
		if err := json.Compact(&b, r); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.String())
	}
	return out
}

// scanText scans text as the one file in.json.
func scanText(t *testing.T, c *content.Content, text string, large int64) Result {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.json"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return scan(t, []string{dir}, Options{Content: c, Filter: Filter{MinSeverity: model.Info}, LargeInput: large})
}

func findingTitles(res Result) string {
	var b strings.Builder
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "%s %s\n", f.Severity, f.Title)
	}
	return b.String()
}

// TestBrokenElementHidesNothing: in a one-line array of records, an
// element that cannot be split out (a mismatched bracket, a string left
// open, a record cut off with the next written on after it, a file cut off
// in its last record) is one unreadable record, named by file and
// position: every attack after it on the line is still found.
func TestBrokenElementHidesNothing(t *testing.T) {
	atk := attackLine(t)
	azure := azureRecords(t)
	good := append([]string{atk}, azure...)
	containers := recordArrays()
	bads := map[string]string{
		"mismatched bracket":   `{"a":[}`,
		"mismatched in a body": `{"eventVersion":"1.08","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"items":[{"cidrIp":"0.0.0.0/0"}}}`,
		"string left open":     `{"eventVersion":"1.08","userAgent":"x`,
		"cut, next written on": atk[:len(atk)/3],
		"closing bracket":      `]`,
	}
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	for cname, container := range containers {
		control := scanText(t, c, container(good), 0)
		if len(control.Findings) < 2 || control.Findings[0].Severity != model.Critical {
			t.Fatalf("%s: control findings %+v, want the attacks", cname, control.Findings)
		}
		check := func(name, text string, pos int, large int64) {
			t.Helper()
			res := scanText(t, c, text, large)
			if got, want := findingTitles(res), findingTitles(control); got != want {
				t.Errorf("%s: findings\n%s\nwant\n%s", name, got, want)
			}
			s := res.Summary
			if s.Unreadable != 1 || len(s.Problems) != 1 {
				t.Errorf("%s: unreadable %d problems %+v; want the bad element alone", name, s.Unreadable, s.Problems)
				return
			}
			if p := s.Problems[0]; p.Index != int64(pos) || filepath.Base(p.File) != "in.json" {
				t.Errorf("%s: problem %+v, want in.json record %d", name, p, pos)
			}
		}
		for bname, bad := range bads {
			for _, pos := range []int{0, 2} {
				if bad == "]" && pos == 0 {
					continue // [] is an empty array: what follows is no array's
				}
				for _, large := range []int64{0, 1} {
					elems := slices.Insert(slices.Clone(good), pos, bad)
					check(fmt.Sprintf("%s, %s at %d, large=%d", cname, bname, pos, large), container(elems), pos, large)
				}
			}
		}
		// A file cut off in its last record keeps the records before it.
		for _, large := range []int64{0, 1} {
			whole := container(append(slices.Clone(good), atk))
			cut := whole[:len(whole)-len(atk)/2]
			check(fmt.Sprintf("%s, cut in the last record, large=%d", cname, large), cut, len(good), large)
		}
	}
}

// TestServiceLinkedRoleNeedsItsPath: a role session is service-linked
// only when its issuer's ARN holds the path /aws-service-role/ (which only
// IAM can give a role); a customer role named AWSServiceRoleFor... under
// path / keeps world SSH critical.
func TestServiceLinkedRoleNeedsItsPath(t *testing.T) {
	var rec map[string]any
	if err := json.Unmarshal([]byte(attackLine(t)), &rec); err != nil {
		t.Fatal(err)
	}
	const name = "AWSServiceRoleForElasticLoadBalancing"
	for _, tc := range []struct {
		path string
		want model.Severity
		tag  bool
	}{
		{"/aws-service-role/elasticloadbalancing.amazonaws.com/", model.High, true},
		{"/", model.Critical, false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			rec["userIdentity"] = map[string]any{
				"type": "AssumedRole", "principalId": "AROAEXAMPLE:ElasticLoadBalancing",
				"arn": "arn:aws:sts::111122223333:assumed-role/" + name + "/ElasticLoadBalancing", "accountId": "111122223333",
				"sessionContext": map[string]any{"sessionIssuer": map[string]any{
					"type": "Role", "principalId": "AROAEXAMPLE", "accountId": "111122223333", "userName": name,
					"arn": "arn:aws:iam::111122223333:role" + tc.path + name,
				}},
			}
			line, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "slr.json"), append(line, '\n'), 0o600); err != nil {
				t.Fatal(err)
			}
			res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}})
			if len(res.Findings) != 1 {
				t.Fatalf("%d findings, want 1", len(res.Findings))
			}
			f := res.Findings[0]
			if f.Severity != tc.want || slices.Contains(f.Tags, "service-linked") != tc.tag {
				t.Errorf("severity %s tags %q, want %s (service-linked %v); reasons %q", f.Severity, f.Tags, tc.want, tc.tag, f.Reasons)
			}
		})
	}
}
