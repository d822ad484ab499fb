// Package snapshot reads configuration snapshots of cloud firewalls into
// model.Firewall values: what `aws ec2 describe-*`, AWS Config, `az network
// ... list/show`, ARM GETs, `gcloud compute ... --format=json`, Cloud Asset
// Inventory exports and `terraform show -json` print. Files are read like the
// logs (package ingest: any compression, archives, folders) and recognised
// by content, record by record, never by name; a record of unknown shape is
// reported with its file and position, counted, and skipped. API recordings
// around a snapshot (boto placebo, HTTP flights, VCR cassettes, REST spec
// examples) are recognised the same way and read inside (wrapper.go).
//
// Rules are read by the same code as the audit-log parsers
// (normalize/{aws,azure,gcp}), so a rule means the same thing whether a call
// added it or a snapshot shows it, and one detector judges both.
//
// How firewalls are keyed (Resource.Type / Resource.ID):
//   - AWS: security_group / sg-…, network_acl / acl-…, network_firewall,
//     firewall_policy and rule_group / ARN.
//   - Azure: nsg / ARM id, rule_collection_group / ARM id, azure_firewall /
//     ARM id (its classic rule collections), sql_server / ARM id of the
//     server (its firewallRules are the rules).
//   - GCP: network / "projects/P/global/networks/N" holding the network's VPC
//     firewall rules (Rule.Name is the firewall rule name), firewall_policy
//     (hierarchical) and network_firewall_policy / the policy name.
//   - Terraform: the same types, keyed by the cloud id when the plan or state
//     knows it, else by the Terraform address.
package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/spill"
)

// Set is everything read from a group of snapshot inputs.
type Set struct {
	// Firewalls are the firewalls read, merged per Resource (see Key), in
	// a stable order (cloud, type, id).
	Firewalls []model.Firewall
	// Interfaces are network interfaces (AWS ENIs) and what they carry.
	Interfaces []Interface
	// PrefixLists are AWS managed prefix lists with their entries where
	// the snapshot has them.
	PrefixLists []PrefixList
	// Plans are Terraform plans: what each would change.
	Plans []Plan
	// Summary counts files and records, and lists problems, like a scan.
	// Read with Options.MaxHeld, its Rules are counted as EachFirewall
	// reads them back.
	Summary model.Summary

	// attached lists the interfaces carrying each security group;
	// spilled holds the firewall copies read with Options.MaxHeld.
	attached map[string][]string
	spilled  *spill.Sorter[heldCopy]
}

// Interface is one network interface and the firewalls on it.
type Interface struct {
	ID      string `json:"id"`
	Account string `json:"account,omitempty"`
	Network string `json:"network,omitempty"`
	Subnet  string `json:"subnet,omitempty"`
	// Groups are the security groups applied to the interface.
	Groups     []string `json:"groups,omitempty"`
	PrivateIPs []string `json:"private_ips,omitempty"`
	// PublicIPs are public IPv4 addresses associated with the interface;
	// IPv6 addresses are globally routable too.
	PublicIPs []string `json:"public_ips,omitempty"`
	IPv6      []string `json:"ipv6,omitempty"`
	Instance  string   `json:"instance,omitempty"`
	// Kind is InterfaceInstance, InterfaceLoadBalancer, InterfaceManaged
	// or "" when the snapshot does not say. It is read from fields the
	// cloud sets (attachment owner, interface type), never from the
	// description, which the owner chooses.
	Kind   string          `json:"kind,omitempty"`
	Owner  string          `json:"owner,omitempty"`
	Source model.SourceRef `json:"source"`
}

// Interface kinds.
const (
	InterfaceInstance     = "instance"
	InterfaceLoadBalancer = "load_balancer"
	InterfaceManaged      = "managed"
)

// PrefixList is an AWS managed prefix list.
type PrefixList struct {
	ID      string          `json:"id"`
	Name    string          `json:"name,omitempty"`
	Account string          `json:"account,omitempty"`
	Version int             `json:"version,omitempty"`
	CIDRs   []string        `json:"cidrs,omitempty"`
	Source  model.SourceRef `json:"source"`
}

// Options tunes Read.
type Options struct {
	// MaxRecord bounds one record (default DefaultMaxRecord).
	MaxRecord int
	// MaxHeld, when above 0, bounds the firewall copies held in memory:
	// past it they are sorted in a temporary file (package spill), Set.Firewalls
	// stays empty, and Set.EachFirewall merges each firewall's copies
	// back one firewall at a time. Set.Close removes the file.
	MaxHeld int
	// Whole decodes every document at once, as before the long lists of
	// large ones were read one element at a time (parts.go): for tests
	// and benchmarks that compare the two.
	Whole bool
}

// DefaultMaxRecord is larger than the scan's: a Terraform plan or an NSG
// list is one JSON document.
const DefaultMaxRecord = 64 << 20

// maxProblemsPerFile bounds the problems listed for one file.
const maxProblemsPerFile = 20

// Read reads every input. It fails only when an input cannot be opened at
// all or ctx ends; unreadable records and unknown shapes are problems in
// Set.Summary.
func Read(ctx context.Context, inputs []ingest.Input, opts Options) (*Set, error) {
	start := time.Now()
	b := newBuilder()
	if opts.MaxHeld > 0 {
		b.spilled = spill.New(opts.MaxHeld, heldOrder)
	}
	op := ingest.NewOpener(ingest.Options{})
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			b.close()
			return nil, err
		}
		b.sum.Files++
		if in.Size > 0 {
			b.sum.Bytes += in.Size
		}
		err := op.Open(ctx, in, func(st ingest.Stream) error {
			return b.stream(st, opts)
		})
		if err != nil {
			if ctx.Err() != nil {
				b.close()
				return nil, ctx.Err()
			}
			b.sum.FilesFailed++
			b.problem(in.Name, -1, 0, err.Error())
		}
	}
	if b.err != nil {
		b.close()
		return nil, b.err
	}
	set := b.finish()
	set.Summary.Elapsed = time.Since(start)
	return set, nil
}

// ReadPaths expands paths like the scan does and reads them.
func ReadPaths(ctx context.Context, paths []string, stdin io.Reader, opts Options) (*Set, error) {
	inputs, err := ingest.Expand(ctx, paths, stdin)
	if err != nil {
		return nil, err
	}
	return Read(ctx, inputs, opts)
}

// stream splits one stream into records and reads each.
func (b *builder) stream(st ingest.Stream, opts Options) error {
	sp := normalize.NewSplitter(&countReader{r: st.R, n: &b.sum.BytesUncompressed})
	sp.MaxRecord = opts.MaxRecord
	if sp.MaxRecord <= 0 {
		sp.MaxRecord = DefaultMaxRecord
	}
	if !opts.Whole && streamLists {
		sp.Lists = streamedLists
	}
	known := 0
	var list *listDoc
	for {
		raw, err := sp.Next()
		if list != nil && (err != nil || raw.List == "" || raw.Index != list.src.Index) {
			// A list cut off (a truncated file) ends where reading did.
			if b.endList(list) {
				known++
			}
			list = nil
		}
		if err == nil && raw.List != "" {
			// A document's lists are read as parts of it: it is tallied
			// once, when a record after them comes (or none does).
			if list == nil {
				list = &listDoc{src: model.SourceRef{File: st.Name, Index: raw.Index}, offset: raw.Offset}
			}
			list.key = raw.List
			b.cur = observation{id: st.Name}
			if !raw.End {
				b.element(list, raw.Data)
			}
			continue
		}
		var rerr *normalize.RecordError
		switch {
		case errors.Is(err, io.EOF):
			if known == 0 && sp.Records() == 0 {
				b.problem(st.Name, -1, 0, "no JSON records: not a snapshot")
			}
			return nil
		case errors.As(err, &rerr):
			b.sum.Records++
			b.sum.Unreadable++
			b.problem(st.Name, rerr.Index, rerr.Offset, rerr.Msg)
			continue
		case err != nil:
			return fmt.Errorf("read %s: %w", st.Name, err)
		}
		b.sum.Records++
		v, err := decodeRecord(raw.Data, opts.Whole)
		if err != nil {
			b.sum.Unreadable++
			b.problem(st.Name, raw.Index, raw.Offset, "invalid JSON: "+err.Error())
			continue
		}
		src := model.SourceRef{File: st.Name, Index: raw.Index}
		b.cur = observation{id: st.Name}
		if m, ok := v.(map[string]any); ok {
			if docs, ok := unwrapRecording(m); ok {
				known += b.recording(docs, src, raw.Offset)
				continue
			}
		}
		if b.tally(b.record(v, src), v, "", src, raw.Offset) {
			known++
		}
	}
}

// tally counts what record made of one document and reports what was not
// read; within names the recording it came from ("" for none).
func (b *builder) tally(res result, v any, within string, src model.SourceRef, offset int64) bool {
	switch {
	case res.err != "":
		b.sum.Unreadable++
		if within != "" {
			res.err = within + ": " + res.err
		}
		b.problem(src.File, src.Index, offset, res.err)
	case res.skip != "":
		if within != "" {
			res.skip = within + ": " + res.skip
		}
		b.skip(src.File, src.Index, offset, res.skip)
	case !res.known:
		b.sum.Skipped++
		if within != "" {
			within = " inside a " + within
		}
		b.problem(src.File, src.Index, offset, "unknown snapshot shape"+within+" ("+keyList(v)+"); skipped")
	default:
		b.sum.Recognised++
		return true
	}
	return false
}

// result says what record made of one record.
type result struct {
	known bool
	// skip names a recognised record that holds no firewall (a CAI asset
	// of another type, a compute#operation); it is counted and named in a
	// problem (see builder.skip).
	skip string
	// err is a recognised record that cannot be read.
	err string
}

var recognised = result{known: true}

func skipped(reason string) result { return result{known: true, skip: reason} }

// record recognises one decoded record by its keys and reads it.
func (b *builder) record(v any, src model.SourceRef) result {
	switch t := v.(type) {
	case []any:
		// An array the splitter kept whole (nested in a wrapper): read
		// each element.
		// One element read makes the array read; the others are named.
		var read, skip, bad bool
		var res result
		var left []string
		for _, e := range t {
			switch r := b.record(e, src); {
			case !r.known:
				left = append(left, "an element of unknown shape ("+keyList(e)+")")
			case r.err != "":
				bad, res = true, r
				left = append(left, "an unreadable element: "+r.err)
			case r.skip != "":
				if !skip && !bad {
					res = r
				}
				skip = true
				left = append(left, r.skip)
			default:
				read = true
			}
		}
		switch {
		case read:
			for _, why := range left {
				b.skipPart(src, why)
			}
			return recognised
		case skip || bad:
			return res
		}
		return result{}
	case map[string]any:
		for _, r := range readers {
			if res, ok := r(b, t, src); ok {
				return res
			}
		}
	}
	return result{}
}

// readers try each shape in turn; the first that recognises a record reads
// it.
var readers = []func(b *builder, m map[string]any, src model.SourceRef) (result, bool){
	readTerraform,
	readAWS,
	readAWSConfig,
	readAzure,
	readGCP,
}

// keyList names a record's top-level keys for messages.
func keyList(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return "a JSON " + jv.TypeName(v)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 6 {
		keys = append(keys[:6], "…")
	}
	return "keys: " + strings.Join(keys, ", ")
}

type countReader struct {
	r io.Reader
	n *int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}
