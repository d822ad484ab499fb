package snapshot

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// readHeld reads docs (in name order) with Options.MaxHeld held.
func readHeld(t testing.TB, held int, docs map[string][]byte) *Set {
	t.Helper()
	var inputs []ingest.Input
	for _, n := range sortedKeys(docs) {
		inputs = append(inputs, ingest.ReaderInput(n, bytes.NewReader(docs[n])))
	}
	set, err := Read(context.Background(), inputs, Options{MaxHeld: held})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { set.Close() })
	set.Summary.Elapsed = 0
	return set
}

// gathered is setJSON of s with its firewalls read back one at a time
// (EachFirewall), as a set read in memory lists them.
func gathered(t testing.TB, s *Set) string {
	t.Helper()
	c := *s
	c.Firewalls = nil
	if err := s.EachFirewall(func(fw *model.Firewall) error {
		c.Firewalls = append(c.Firewalls, *fw)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c.Summary = s.Summary
	return setJSON(t, &c)
}

// A set read with --max-held, its firewall copies sorted on disk and
// merged back one firewall at a time, is the set read in memory: every
// real sample and bundled snapshot read together and twice (two undated
// copies of each firewall), and generated accounts whose groups are
// merged from single rules and joined to interfaces.
func TestMaxHeldSameAsInMemory(t *testing.T) {
	samples := map[string][]byte{}
	for _, n := range realSamples(t) {
		samples[n] = sample(t, filepath.Join("testdata", "real", n))
	}
	for _, n := range []string{"aws/describe-security-groups.json", "aws/describe-network-acls.json", "aws/describe-network-interfaces.json",
		"aws/describe-security-groups-prefix-list.json", "terraform/tfplan.json", "gcp/cai-firewalls.json",
		"gcp/networks-getEffectiveFirewalls.json", "azure/arm-nsg-list.json", "azure/az-network-nsg-show.json"} {
		samples["bundled/"+n] = sample(t, filepath.Join("..", "..", "testdata", "snapshots", n))
	}
	twice := map[string][]byte{}
	for n, d := range samples {
		twice[n], twice["again/"+n] = d, d
	}
	account := map[string][]byte{}
	for _, k := range []string{"sg", "rules", "acls", "enis", "config", "tfstate"} {
		account[k+".json"] = generatedAccount(k, 600)
	}
	for name, docs := range map[string]map[string][]byte{"samples": samples, "samples twice": twice, "generated account": account} {
		want := gathered(t, readHeld(t, 0, docs))
		for _, held := range []int{1, 7, 1 << 30} {
			set := readHeld(t, held, docs)
			if len(set.Firewalls) != 0 || set.Spilled() != (held < 1<<30) {
				t.Errorf("%s, --max-held %d: %d firewalls held in the set, spilled %v", name, held, len(set.Firewalls), set.Spilled())
			}
			if got := gathered(t, set); got != want {
				t.Errorf("%s, --max-held %d:\n%.800s\nwant, as read in memory:\n%.800s", name, held, got, want)
			}
		}
	}
}

// A set read with --max-held holds, while it is read and while its
// firewalls are read back, the sorter's few copies, a few fields per
// firewall and one firewall merged at a time: under half the peak
// of reading the set in memory (a quarter to a third, with the fields
// per firewall and what the collector last saw of decoding).
func TestMaxHeldBoundsMemory(t *testing.T) {
	docs := map[string][]byte{"sg.json": generatedAccount("sg", 20000)}
	peak := func(n int) uint64 {
		var set *Set
		grew := testutil.PeakLiveHeap(func() {
			set = readHeld(t, n, docs)
			if err := set.EachFirewall(func(*model.Firewall) error { return nil }); err != nil {
				t.Fatal(err)
			}
		})
		if set.Summary.Firewalls != 20000 || set.Summary.Rules != 80000 {
			t.Fatalf("--max-held %d: %d firewalls, %d rules read", n, set.Summary.Firewalls, set.Summary.Rules)
		}
		set.Close()
		return grew
	}
	all, bounded := peak(0), peak(500)
	t.Logf("peak live heap reading 20,000 groups: in memory %d MiB, --max-held 500 %d MiB", all>>20, bounded>>20)
	if bounded > all/2 {
		t.Errorf("--max-held 500: peak live heap %d MiB reading 20,000 groups, want under half the %d MiB in memory", bounded>>20, all>>20)
	}
}
