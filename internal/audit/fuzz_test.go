package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/detect"
	"cloudwall/internal/ingest"
	"cloudwall/internal/snapshot"
)

// FuzzAudit judges fuzzed snapshots and diffs them against the bundled
// ones: the snapshot readers have a fuzz target of their own, this one
// reaches what comes after them (evaluation order, shadowing, reach,
// Terraform plans, diff) with firewalls an attacker shaped. Nothing may
// panic, and every finding marshals.
func FuzzAudit(f *testing.F) {
	var seeds []string
	for _, g := range []string{"testdata/plans/*.json", "../snapshot/testdata/real/*/*", "../../testdata/snapshots/*", "../../testdata/snapshots/*/*"} {
		m, _ := filepath.Glob(g)
		seeds = append(seeds, m...)
	}
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]}],"NetworkAcls":[{"NetworkAclId":"acl-1","Entries":[{"RuleNumber":1,"Protocol":"-1","RuleAction":"deny","CidrBlock":"0.0.0.0/0"},{"RuleNumber":1,"Protocol":"-1","RuleAction":"allow","CidrBlock":"0.0.0.0/0"}]}]}`))
	f.Add([]byte(`[{"name":"ȺȺȺȺȺ/securityRules/x","securityRules":[{"name":"a","priority":100,"access":"Allow","direction":"Inbound","protocol":"*","sourceAddressPrefix":"*","destinationAddressPrefixes":["10.0.0.0/8","Ⱥ"],"destinationPortRange":"*"}]}]`))
	c, err := content.Default()
	if err != nil {
		f.Fatal(err)
	}
	a := New(detect.New(c), Options{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	read := func(data []byte) *snapshot.Set {
		set, err := snapshot.Read(context.Background(), []ingest.Input{ingest.ReaderInput("fuzz.json", bytes.NewReader(data))}, snapshot.Options{MaxRecord: 1 << 20})
		if err != nil {
			return nil
		}
		return set
	}
	// The diffs compare with every bundled snapshot at once.
	var base []ingest.Input
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			base = append(base, ingest.ReaderInput(p, bytes.NewReader(b)))
		}
	}
	other, err := snapshot.Read(context.Background(), base, snapshot.Options{MaxRecord: 1 << 20})
	if err != nil || len(other.Firewalls) < 10 {
		f.Fatalf("the bundled snapshots give %v firewalls (%v)", other, err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set := read(data)
		if set == nil {
			return
		}
		check := func(what string, fs any) {
			if _, err := json.Marshal(fs); err != nil {
				t.Fatalf("%s findings do not marshal: %v", what, err)
			}
		}
		check("audit", a.Audit(set))
		check("diff", a.Diff(other, set))
		check("diff back", a.Diff(set, other))
	})
}
