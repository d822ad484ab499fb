package snapshot

import (
	"bytes"
	"context"
	"math"
	"testing"

	"cloudwall/internal/ingest"
)

// FuzzRead feeds arbitrary bytes to the readers: no input may crash them,
// and every record is accounted for (read, skipped or unreadable), a
// cassette's interactions included.
func FuzzRead(f *testing.F) {
	for _, n := range realSamples(f) {
		f.Add(sample(f, "testdata/real/"+n))
	}
	f.Add([]byte(`{"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcp","FromPort":"x","ToPort":99999,"IpRanges":[{"CidrIp":"00.0.0.0/0"}],"UserIdGroupPairs":{}}]}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"type":"aws_security_group","change":{"actions":["create"],"after":{"ingress":[{"cidr_blocks":"0.0.0.0/0","from_port":[],"protocol":7}]},"after_unknown":{"ingress":[{"cidr_blocks":[true]}]}}}]}`))
	f.Add([]byte(`{"kind":"sql#instance","settings":{"ipConfiguration":{"ipv4Enabled":"yes","authorizedNetworks":[{"value":7},{"value":"0.0.0.0/0","expirationTime":{}}]}}}`))
	// Recording wrappers, good and hostile (wrapper_test.go); the real
	// samples above are mostly wrapped too.
	f.Add(generatedAccount("config", 3))
	f.Add(generatedAccount("tfstate", 3))
	for _, r := range hostileRecordings {
		f.Add([]byte(r.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Read(context.Background(), []ingest.Input{ingest.ReaderInput("fuzz.json", bytes.NewReader(data))}, Options{MaxRecord: 1 << 20})
		if err != nil {
			return // the stream itself could not be read (bad compression)
		}
		s := set.Summary
		if s.Unreadable+s.Skipped > s.Records {
			t.Fatalf("records %d < unreadable %d + skipped %d", s.Records, s.Unreadable, s.Skipped)
		}
		for _, fw := range set.Firewalls {
			if fw.Rules == nil {
				t.Fatalf("firewall %s has nil rules", fw.Resource.ID)
			}
		}
		// A document read in parts reads as the document decoded whole.
		// (Its streamed lists read more of a hostile document: see
		// TestStreamedListsReadAll.)
		one := map[string][]byte{"fuzz.json": data}
		defer func() { streamLists = true }()
		streamLists = false
		if whole, parts := setJSON(t, readWith(t, math.MaxInt, 1<<20, one)), setJSON(t, readWith(t, 0, 1<<20, one)); whole != parts {
			t.Fatalf("read in parts differs from read whole:\nwhole %.800s\nparts %.800s", whole, parts)
		}
	})
}
