package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The memory test (go run ./bench -memtest) feeds cloudwall the hostile
// inputs of issue 7, each generated into a temporary directory, and
// checks that a scan at the default flags stays under memLimit of peak
// RSS (of the cloudwall process, measured as bench/runner.go's rssMeter says) and ends without a
// crash. It prints one table row per input.

// memLimit is the bound the README states for any input at the default flags.
const memLimit = 256 << 20

// memCase is one hostile input.
type memCase struct {
	name, what string
	// write generates the input into w (the file is gzipped when gz is set).
	write func(w io.Writer) error
	gz    bool
}

// attackRecord is one CloudTrail record opening SSH to the world (the
// Stratus Red Team detonation, as in internal/normalize/aws/testdata);
// %s is the event id, %s the user agent.
const attackRecord = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAQS3TDRXEXAMPLE01","arn":"arn:aws:iam::032092706103:user/stratus-red-team-user","accountId":"032092706103","accessKeyId":"AKIAQS3TDRXEXAMPLE01","userName":"stratus-red-team-user"},"eventTime":"2022-06-01T12:05:53Z","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","awsRegion":"us-east-1","sourceIPAddress":"193.29.107.4","userAgent":"%s","requestParameters":{"groupId":"sg-003dc7f1f1c686164","ipPermissions":{},"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIp":"208.236.235.254/0"},"responseElements":{"requestId":"dc1d2e1b-0d7f-4c5c-8f2a-5f4a0c2d9e11","_return":true,"securityGroupRuleSet":{"items":[{"groupOwnerId":"032092706103","groupId":"sg-003dc7f1f1c686164","securityGroupRuleId":"sgr-09b3e3d2ca1edf2a2","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"208.236.235.254/0"}]}},"requestID":"3922f1a1-57d8-d187-7f25-cce802bbf792","eventID":"%s","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"032092706103","eventCategory":"Management"}` + "\n"

const stratusUA = "stratus-red-team_83c4b5ff aws-sdk-go-v2/1.17.6 os/linux lang/go/1.19.4"

func memCases() []memCase {
	records := func(n int, id func(int) string, ua string) func(io.Writer) error {
		return func(w io.Writer) error {
			for i := range n {
				if _, err := fmt.Fprintf(w, attackRecord, ua, id(i)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	same := func(int) string { return "9ad9b29c-5a55-d247-5357-42a549b65319" }
	distinct := func(i int) string { return fmt.Sprintf("9ad9b29c-5a55-d247-5357-%012d", i) }
	return []memCase{
		{name: "nesting-bomb", what: "1 GiB of [ (gzip)", gz: true, write: func(w io.Writer) error {
			buf := []byte(strings.Repeat("[", 1<<20))
			for range 1024 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
			}
			return nil
		}},
		{name: "flood-200k", what: "200,000 identical firewall records (gzip)", gz: true, write: records(200000, same, stratusUA)},
		{name: "flood-600k", what: "600,000 identical firewall records (gzip)", gz: true, write: records(600000, same, stratusUA)},
		{name: "distinct-200k", what: "200,000 firewall records, distinct event ids (gzip)", gz: true, write: records(200000, distinct, stratusUA)},
		{name: "distinct-groups-200k", what: "200,000 firewall records on 200,000 groups and 65,536 ports (gzip)", gz: true, write: func(w io.Writer) error {
			for i := range 200000 {
				rec := strings.Replace(attackRecord, "sg-003dc7f1f1c686164", fmt.Sprintf("sg-%017x", i), 2)
				port := fmt.Sprint(i % 65536)
				rec = strings.ReplaceAll(rec, `"fromPort":22,"toPort":22`, `"fromPort":`+port+`,"toPort":`+port)
				if _, err := fmt.Fprintf(w, rec, stratusUA, distinct(i)); err != nil {
					return err
				}
			}
			return nil
		}},
		// Caller-chosen texts near normalize.MaxText, each copied into its
		// finding several times: fewer operations are held (heldTextPerOp).
		{name: "long-actors-50k", what: "50,000 firewall records, each by its own IAM user with a 1 KB name and ARN and a 1 KB user agent (gzip)", gz: true, write: longActors(50000)},
		{name: "user-agent-8mb", what: "100 firewall records with an 8 MB user agent (gzip)", gz: true,
			write: records(100, distinct, strings.Repeat("A", 8_000_000))},
		{name: "peers-60k", what: "one 1.3 MB record with 60,000 unreadable peers", write: manyPeers(func(i int) string { return fmt.Sprintf("1.2.%d.x/99", i) })},
		{name: "peers-world-60k", what: "one 1.6 MB record with 60,000 world-open peers (10.i.j.1/0)", write: manyPeers(func(i int) string { return fmt.Sprintf("10.%d.%d.1/0", i/256, i%256) })},
		// Records as dense as JSON allows, near the size limit: refused by
		// the values budget (jv.BudgetError) before they are built.
		{name: "dense-objects", what: "4 records of 7.8 MB, each 2.6 million {} in a request", write: denseRecords(4, 2_600_000, "{}", false)},
		{name: "dense-zeros", what: "4 records of 7.8 MB, each 3.9 million 0 in a request", write: denseRecords(4, 3_900_000, "0", false)},
		{name: "dense-rule-items", what: "4 records of 7.8 MB, each 2.6 million empty ipPermissions items", write: denseRecords(4, 2_600_000, "{}", true)},
		// Within the budget: bounded by normalize.MaxChanges and MaxPeers
		// and the state replay's DefaultMaxRules.
		{name: "rule-items-50x16k", what: "50 records, each 16,000 empty ipPermissions items", write: denseRecords(50, 16000, "{}", true)},
		{name: "port-rules-40x16k", what: "40 records, each 16,000 rules on distinct ports", write: ruleRecords(40, 16000, func(r, i int) string {
			return fmt.Sprintf(`{"ipProtocol":"tcp","fromPort":%d,"toPort":%d}`, i, i)
		})},
		// Past the context operations held in memory: to disk, and the
		// nearest read back for the busy caller's change.
		{name: "context-flood-1m", what: "1,000,000 DescribeSecurityGroups, half by one caller and half by distinct ones, then that caller's change (gzip)", gz: true, write: contextFlood(1_000_000)},
		{name: "peers-60x16k", what: "60 records on 60 groups, each one rule with 16,000 peers", write: ruleRecords(60, 1, func(r, _ int) string {
			var b strings.Builder
			for i := range 16000 {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"cidrIp":"%d.%d.%d.0/24"}`, 10+r, i/256%256, i%256)
			}
			return `{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[` + b.String() + `]}}`
		})},
	}
}

// longActors writes n attackRecords, record i by an IAM user of its own
// whose name (in the ARN too) is 1,000 bytes long, with an access key and
// a 1,000-byte user agent of its own.
func longActors(n int) func(io.Writer) error {
	return func(w io.Writer) error {
		for i := range n {
			name := fmt.Sprintf("user%d-", i)
			name += strings.Repeat("n", 1000-len(name))
			rec := strings.ReplaceAll(attackRecord, "stratus-red-team-user", name)
			rec = strings.Replace(rec, "AKIAQS3TDRXEXAMPLE01", fmt.Sprintf("AKIA%016d", i), 1)
			ua := fmt.Sprintf("ua%d ", i) + strings.Repeat("Z", 1000)
			if _, err := fmt.Fprintf(w, rec, ua, fmt.Sprintf("9ad9b29c-5a55-d247-5357-%012d", i)); err != nil {
				return err
			}
		}
		return nil
	}
}

// contextFlood writes n DescribeSecurityGroups records, ten a second,
// every other one by the caller "busy" and the rest each by a caller of
// its own, then busy's opening of 22/tcp to the world in the middle of
// them.
func contextFlood(n int) func(io.Writer) error {
	const rec = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA%[1]s","arn":"arn:aws:iam::111122223333:user/%[1]s","accountId":"111122223333","accessKeyId":"AKIA%[1]s","userName":"%[1]s"},"eventTime":"%[2]s","eventSource":"ec2.amazonaws.com","eventName":"%[3]s","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":%[4]s,"responseElements":null,"eventID":"flood-%[5]d","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}` + "\n"
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	return func(w io.Writer) error {
		for i := range n {
			user := "busy"
			if i%2 == 1 {
				user = fmt.Sprintf("u%d", i)
			}
			if _, err := fmt.Fprintf(w, rec, user, t0.Add(time.Duration(i)*100*time.Millisecond).Format(time.RFC3339), "DescribeSecurityGroups", "{}", i); err != nil {
				return err
			}
		}
		open := `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`
		_, err := fmt.Fprintf(w, rec, "busy", t0.Add(time.Duration(n)*50*time.Millisecond).Format(time.RFC3339), "AuthorizeSecurityGroupIngress", open, n)
		return err
	}
}

// ruleRecords writes n AuthorizeSecurityGroupIngress records, record r on
// group sg-r with items ipPermissions items, item i spelled by item(r, i).
func ruleRecords(n, items int, item func(r, i int) string) func(io.Writer) error {
	return func(w io.Writer) error {
		for r := range n {
			var b strings.Builder
			for i := range items {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(item(r, i))
			}
			if _, err := fmt.Fprintf(w, `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2022-06-01T12:05:53Z","eventID":"e%d","recipientAccountId":"111122223333","requestParameters":{"groupId":"sg-%d","ipPermissions":{"items":[%s]}}}`+"\n", r, r, b.String()); err != nil {
				return err
			}
		}
		return nil
	}
}

// denseRecords writes n records holding elem count times: as the
// ipPermissions items of a world-open rule on 22/tcp when items, else in
// a request member of their own beside it.
func denseRecords(n, count int, elem string, items bool) func(io.Writer) error {
	fill := strings.TrimSuffix(strings.Repeat(elem+",", count), ",")
	return ruleRecords(n, 1, func(_, _ int) string {
		rule := `{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}`
		if items {
			return fill + "," + rule
		}
		return rule + `],"x":[` + fill
	})
}

// manyPeers writes one AuthorizeSecurityGroupIngress on 22/tcp naming
// 60,000 peers, spelled by peer.
func manyPeers(peer func(int) string) func(io.Writer) error {
	return func(w io.Writer) error {
		var b strings.Builder
		for i := range 60000 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"cidrIp":%q}`, peer(i))
		}
		_, err := fmt.Fprintf(w, `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2022-06-01T12:05:53Z","eventID":"e1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[%s]}}]}}}`+"\n", b.String())
		return err
	}
}

// memtest generates every case, scans each and prints the table. It
// returns false when a scan crashed or went over memLimit.
func (b *bench) memtest(ctx context.Context, bin string) (bool, error) {
	dir := filepath.Join(b.tmp, "memtest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	fmt.Fprintf(b.out, "%s.\n\n", meter.describe())
	fmt.Fprintf(b.out, "| input | file MiB | exit | seconds | peak RSS MiB | output MiB | under %d MiB |\n|---|---:|---:|---:|---:|---:|---|\n", memLimit>>20)
	ok := true
	for _, c := range memCases() {
		if !strings.Contains(c.name, b.cfg.memcase) {
			continue
		}
		// Default flags, so the scan writes to a history store: a fresh
		// one per case, not the user's.
		db := filepath.Join(dir, c.name+".db")
		if err := os.Setenv("CLOUDWALL_STORE", db); err != nil {
			return false, err
		}
		path, err := writeCase(dir, c)
		if err != nil {
			return false, fmt.Errorf("generate %s: %w", c.name, err)
		}
		st, err := os.Stat(path)
		if err != nil {
			return false, err
		}
		var out countWriter
		res, err := measure(ctx, "", []string{bin, "scan", "--format", "jsonl", path}, nil, &out)
		if err != nil {
			return false, fmt.Errorf("scan %s: %w", c.name, err)
		}
		crashed := strings.Contains(res.stderr, "fatal error") || strings.Contains(res.stderr, "panic:") || res.exit == 2 || res.exit < 0
		under := res.maxRSS*1024 < memLimit && !crashed
		ok = ok && under
		verdict := "yes"
		switch {
		case crashed:
			verdict = "CRASHED: " + failureSummary(res.stderr)
		case !under:
			verdict = "NO"
		}
		fmt.Fprintf(b.out, "| %s: %s | %.1f | %d | %.1f | %.0f | %.1f | %s |\n", c.name, c.what,
			float64(st.Size())/(1<<20), res.exit, res.wall.Seconds(), float64(res.maxRSS)/1024, float64(out.n)/(1<<20), verdict)
		_ = os.Remove(path)
		_ = os.Remove(db)
	}
	return ok, nil
}

func writeCase(dir string, c memCase) (string, error) {
	name := filepath.Join(dir, c.name+".json")
	if c.gz {
		name += ".gz"
	}
	f, err := os.Create(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := io.Writer(bw)
	var zw *gzip.Writer
	if c.gz {
		zw, _ = gzip.NewWriterLevel(bw, gzip.BestCompression)
		w = zw
	}
	if err := c.write(w); err != nil {
		return "", err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return "", err
		}
	}
	if err := bw.Flush(); err != nil {
		return "", err
	}
	return name, f.Close()
}

// countWriter counts and discards.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
