package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

// largeInterfaces writes `aws ec2 describe-network-interfaces` of n
// interfaces carrying the groups of largeGroups (documented shape,
// ../../../shared/design/state-formats.md): every third with a public
// address, every fifth a load balancer's.
func largeInterfaces(n, groups int) []byte {
	var es []string
	for i := range n {
		pub, owner := "", "123456789012"
		if i%3 == 0 {
			pub = fmt.Sprintf(`, "Association": {"PublicIp": "203.0.113.%d"}`, i%250+1)
		}
		if i%5 == 0 {
			owner = "amazon-elb"
		}
		es = append(es, fmt.Sprintf(`{"NetworkInterfaceId": "eni-%017x", "VpcId": "vpc-%08x", "SubnetId": "subnet-%08x", "OwnerId": "123456789012", `+
			`"Groups": [{"GroupId": "sg-%017x"}, {"GroupId": "sg-%017x"}], "PrivateIpAddress": "10.1.%d.%d", "Attachment": {"InstanceOwnerId": %q}%s}`,
			i, (i*7)%300, i%50, 0xabc0000+(i*7)%groups, 0xabc0000+(i*13)%groups, i/250%250, i%250+1, owner, pub))
	}
	return []byte(`{"NetworkInterfaces": [` + strings.Join(es, ",\n") + "]}\n")
}

// Audit with --max-held, each firewall merged back from disk and judged
// alone, gives the findings of the audit of the set held in memory: the
// bundled snapshots and real samples read together, and a generated
// account of 3,000 groups with interfaces carrying them.
func TestMaxHeldSameFindings(t *testing.T) {
	var bundled []string
	for _, g := range []string{"../snapshot/testdata/real/*/*", "../../testdata/snapshots/*/*"} {
		m, _ := filepath.Glob(g)
		bundled = append(bundled, m...)
	}
	docs := map[string][]byte{}
	for _, p := range bundled {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs[p] = b
	}
	account := map[string][]byte{"sg.json": largeGroups(3000), "eni.json": largeInterfaces(2000, 3000)}
	read := func(docs map[string][]byte, held int) *snapshot.Set {
		var inputs []ingest.Input
		for _, n := range sortedNames(docs) {
			inputs = append(inputs, ingest.ReaderInput(n, bytes.NewReader(docs[n])))
		}
		set, err := snapshot.Read(context.Background(), inputs, snapshot.Options{MaxHeld: held})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { set.Close() })
		return set
	}
	a := auditor(t)
	for name, docs := range map[string]map[string][]byte{"bundled": docs, "generated account": account} {
		mem := read(docs, 0)
		want, _ := json.Marshal(a.Audit(mem))
		for _, held := range []int{1, 10} {
			set := read(docs, held)
			var got []model.Finding
			if err := a.Each(set, func(f model.Finding) error { got = append(got, f); return nil }); err != nil {
				t.Fatal(err)
			}
			Rank(got)
			gj, _ := json.Marshal(got)
			if !set.Spilled() || len(got) < 20 || !bytes.Equal(gj, want) {
				t.Errorf("%s, --max-held %d: spilled %v, %d findings, same as in memory %v:\n%.600s\nwant:\n%.600s", name, held, set.Spilled(), len(got), bytes.Equal(gj, want), gj, want)
			}
			if set.Summary.Rules != mem.Summary.Rules || set.Summary.Firewalls != mem.Summary.Firewalls {
				t.Errorf("%s, --max-held %d: %d firewalls, %d rules; in memory %d, %d", name, held, set.Summary.Firewalls, set.Summary.Rules, mem.Summary.Firewalls, mem.Summary.Rules)
			}
		}
	}
}

func sortedNames(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
