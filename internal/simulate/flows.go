package simulate

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"cloudwall/internal/model"
)

// FlowPlant is one opening a flow corpus is written around. Used plants
// get accepted inbound flows from Source on Port a few minutes after
// Opened, then an upload from the same interface; unused ones get only
// rejected scans and traffic before Opened (near misses).
type FlowPlant struct {
	Cloud   model.Cloud `json:"cloud"`
	Account string      `json:"account"`
	// Firewall is the Azure NSG resource id; Rule the NSG rule or GCP
	// firewall rule name. AWS plants need neither (their flows tie by
	// account, port and time).
	Firewall string    `json:"firewall,omitempty"`
	Rule     string    `json:"rule,omitempty"`
	Port     int       `json:"port"`
	Opened   time.Time `json:"opened"`
	Used     bool      `json:"used"`
	Source   string    `json:"source"`
	// Key is the caller's id for the plant (the finding it came from).
	Key string `json:"key"`
}

// FlowCorpusOptions controls GenerateFlowCorpus.
type FlowCorpusOptions struct {
	// Size is the target of uncompressed flow-log bytes.
	Size       int64
	Seed       uint64
	Start, End time.Time
	Mix        Mix
	Plants     []FlowPlant
	Workers    int
}

// flowFileSize is the uncompressed size of one generated flow-log file.
const flowFileSize = 8 << 20

// GenerateFlowCorpus writes gzip flow logs of the three clouds under dir:
// AWS VPC Flow Logs (default v2 format with a header, S3 layout), Azure
// NSG flow logs (version 2 PT1H.json) and GCP VPC Flow Logs entries. The
// background is what a production network logs (load-balanced web traffic,
// east-west calls, egress, internet scanners rejected on admin ports); the
// plants are woven into the file covering their time. It returns the files
// written, relative to dir.
func GenerateFlowCorpus(ctx context.Context, dir string, o FlowCorpusOptions) ([]FileInfo, error) {
	if o.Size <= 0 || !o.End.After(o.Start) {
		return nil, fmt.Errorf("flow corpus: size %d, span %s..%s", o.Size, o.Start, o.End)
	}
	if o.Mix == (Mix{}) {
		o.Mix = Mix{AWS: 0.7, Azure: 0.15, GCP: 0.15}
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	sum := o.Mix.AWS + o.Mix.Azure + o.Mix.GCP
	var specs []flowSpec
	for _, c := range []struct {
		cloud model.Cloud
		share float64
	}{{model.AWS, o.Mix.AWS}, {model.Azure, o.Mix.Azure}, {model.GCP, o.Mix.GCP}} {
		n := int(float64(o.Size)*c.share/sum/flowFileSize + 0.5)
		if c.share > 0 {
			n = max(n, 1)
		}
		accounts := flowAccounts(c.cloud, o.Plants)
		if c.share > 0 {
			n = max(n, len(accounts)) // every planted account gets a file
		}
		span := o.End.Sub(o.Start) / time.Duration(max(n, 1))
		for i := range n {
			specs = append(specs, flowSpec{cloud: c.cloud, index: len(specs), account: accounts[i%len(accounts)],
				from: o.Start.Add(span * time.Duration(i)), to: o.Start.Add(span * time.Duration(i+1)), size: flowFileSize})
		}
	}
	// Every plant goes into the file of its cloud and account whose span
	// holds its time, or the nearest one.
	for _, p := range o.Plants {
		best := -1
		for i := range specs {
			s := &specs[i]
			if s.cloud != p.Cloud || s.account != p.Account {
				continue
			}
			if best < 0 || distance(s, p.Opened) < distance(&specs[best], p.Opened) {
				best = i
			}
		}
		if best >= 0 {
			specs[best].plants = append(specs[best].plants, p)
		}
	}
	files := make([]FileInfo, len(specs))
	errs := make([]error, len(specs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				files[i], errs[i] = specs[i].write(dir, newRNG(o.Seed, uint64(1_000_000+i)))
			}
		}()
	}
	for i := range specs {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func distance(s *flowSpec, t time.Time) time.Duration {
	switch {
	case t.Before(s.from):
		return s.from.Sub(t)
	case t.After(s.to):
		return t.Sub(s.to)
	}
	return 0
}

// flowAccounts lists the accounts a cloud's files are spread over: those
// of the plants, or one made-up account.
func flowAccounts(c model.Cloud, plants []FlowPlant) []string {
	var out []string
	for _, p := range plants {
		if p.Cloud == c && !slices.Contains(out, p.Account) {
			out = append(out, p.Account)
		}
	}
	if len(out) == 0 {
		out = []string{map[model.Cloud]string{model.AWS: "210987654321", model.Azure: "9f8e7d6c-5b4a-3210-fedc-ba9876543210", model.GCP: "flows-demo-1234"}[c]}
	}
	slices.Sort(out)
	return out
}

type flowSpec struct {
	cloud    model.Cloud
	index    int
	account  string
	from, to time.Time
	size     int64
	plants   []FlowPlant
}

// line is one generated flow before formatting.
type flowLine struct {
	at               time.Time
	src, dst         string
	sport, dport     int
	proto            int
	packets, bytes   int
	accept, outbound bool
	iface            string
	rule             string
}

func (s *flowSpec) path() string {
	t := s.from.UTC()
	switch s.cloud {
	case model.AWS:
		return fmt.Sprintf("vpcflowlogs/AWSLogs/%s/vpcflowlogs/us-east-1/%s/%s_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_%s_%04d.log.gz",
			s.account, t.Format("2006/01/02"), s.account, t.Format("20060102T1504Z"), s.index)
	case model.Azure:
		return fmt.Sprintf("nsgflowlogs/resourceId=/SUBSCRIPTIONS/%s/RESOURCEGROUPS/RG-NET/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-FLOWS/y=%s/m=%s/d=%s/h=%s/m=00/macAddress=000D3A5B1C2D/PT1H-%04d.json.gz",
			strings.ToUpper(s.account), t.Format("2006"), t.Format("01"), t.Format("02"), t.Format("15"), s.index)
	default:
		return fmt.Sprintf("gcpflows/compute.googleapis.com/vpc_flows/%s/%s_%04d.json.gz", t.Format("2006/01/02"), t.Format("15:04:05"), s.index)
	}
}

func (s *flowSpec) write(root string, r *rng) (FileInfo, error) {
	rel := s.path()
	full := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return FileInfo{}, err
	}
	f, err := os.Create(full)
	if err != nil {
		return FileInfo{}, err
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	bw := bufio.NewWriterSize(zw, 256<<10)
	n, records := s.body(bw, r)
	if err := bw.Flush(); err != nil {
		return FileInfo{}, err
	}
	if err := zw.Close(); err != nil {
		return FileInfo{}, err
	}
	if err := f.Close(); err != nil {
		return FileInfo{}, err
	}
	info, _ := os.Stat(full)
	return FileInfo{Path: rel, Cloud: s.cloud, Kind: "flows", Records: int64(records), Bytes: n, Stored: info.Size()}, nil
}

// body writes the file's records in time order and returns the bytes and
// records written.
func (s *flowSpec) body(w *bufio.Writer, r *rng) (int64, int) {
	enis := make([]string, 40)
	for i := range enis {
		enis[i] = "eni-0" + r.hex(16)
	}
	var n int64
	records := 0
	emit := func(l flowLine) {
		var k int
		switch s.cloud {
		case model.AWS:
			k = writeVPC(w, s.account, l)
		case model.Azure:
			k = writeNSG(w, s, l, records == 0)
		default:
			k = writeGCPFlow(w, s.account, l)
		}
		n += int64(k)
		records++
	}
	if s.cloud == model.AWS {
		k, _ := w.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
		n += int64(k)
	}
	planted := s.plantLines(r, enis[0])
	span := s.to.Sub(s.from)
	approx := int64(110)
	if s.cloud != model.AWS {
		approx = 700
	}
	count := int(s.size / approx)
	step := span / time.Duration(max(count, 1))
	at := s.from
	for i := 0; i < count; i++ {
		for len(planted) > 0 && !planted[0].at.After(at) {
			emit(planted[0])
			planted = planted[1:]
		}
		emit(background(r, at, pick(r, enis)))
		at = at.Add(step)
	}
	for _, l := range planted {
		emit(l)
	}
	if s.cloud == model.Azure && records > 0 {
		k, _ := w.WriteString("]}\n")
		n += int64(k)
	}
	return n, records
}

// background is one flow of an ordinary production network.
func background(r *rng, at time.Time, iface string) flowLine {
	inside := fmt.Sprintf("10.%d.%d.%d", r.IntN(4), r.IntN(256), 1+r.IntN(250))
	outside := fmt.Sprintf("%d.%d.%d.%d", pick(r, []int{34, 52, 81, 104, 151, 185, 203}), r.IntN(256), r.IntN(256), 1+r.IntN(250))
	l := flowLine{at: at, proto: 6, packets: 1 + r.IntN(200), iface: iface, accept: true}
	l.bytes = l.packets * (60 + r.IntN(1400))
	switch v := r.IntN(100); {
	case v < 35: // web traffic through the load balancer
		l.src, l.dst, l.sport, l.dport, l.rule = outside, inside, 1024+r.IntN(64000), pick(r, []int{443, 80}), "AllowWebInBound"
	case v < 65: // east-west
		peer := fmt.Sprintf("10.%d.%d.%d", r.IntN(4), r.IntN(256), 1+r.IntN(250))
		l.src, l.dst, l.sport, l.dport, l.rule = peer, inside, 1024+r.IntN(64000), pick(r, []int{5432, 6379, 8080, 9200, 443}), "DefaultRule_AllowVnetInBound"
	case v < 90: // egress
		l.src, l.dst, l.sport, l.dport, l.outbound, l.rule = inside, outside, 32768+r.IntN(28000), 443, true, "DefaultRule_AllowInternetOutBound"
	default: // internet scanners, rejected
		l.src, l.dst, l.sport, l.dport, l.accept, l.rule = outside, inside, 1024+r.IntN(64000), pick(r, []int{22, 3389, 23, 445, 1433, 3306}), false, "DefaultRule_DenyAllInBound"
		l.packets, l.bytes = 1, 44
	}
	return l
}

// plantLines are the flows of the file's plants, in time order.
func (s *flowSpec) plantLines(r *rng, iface string) []flowLine {
	var out []flowLine
	for _, p := range s.plants {
		target := fmt.Sprintf("10.9.%d.%d", r.IntN(256), 1+r.IntN(250))
		rule := p.Rule
		if p.Used {
			for k := range 3 {
				out = append(out, flowLine{at: p.Opened.Add(time.Duration(2+4*k) * time.Minute), src: p.Source, dst: target,
					sport: 40000 + k, dport: p.Port, proto: 6, packets: 40, bytes: 9000, accept: true, iface: iface, rule: rule})
			}
			out = append(out, flowLine{at: p.Opened.Add(20 * time.Minute), src: target, dst: "198.51.100.250", sport: 50000,
				dport: 443, proto: 6, packets: 9000, bytes: 12_000_000, accept: true, outbound: true, iface: iface, rule: "DefaultRule_AllowInternetOutBound"})
		} else {
			// Near misses: the port reached before the opening, and
			// scans during it that were still rejected.
			out = append(out,
				flowLine{at: p.Opened.Add(-30 * time.Minute), src: p.Source, dst: target, sport: 41000, dport: p.Port, proto: 6,
					packets: 5, bytes: 400, accept: true, iface: iface, rule: "UserRule_partner-" + rule},
				flowLine{at: p.Opened.Add(5 * time.Minute), src: p.Source, dst: target, sport: 41001, dport: p.Port, proto: 6,
					packets: 1, bytes: 44, accept: false, iface: iface, rule: "DefaultRule_DenyAllInBound"})
		}
	}
	slices.SortFunc(out, func(a, b flowLine) int { return a.at.Compare(b.at) })
	return out
}

func writeVPC(w *bufio.Writer, account string, l flowLine) int {
	action := "ACCEPT"
	if !l.accept {
		action = "REJECT"
	}
	t := l.at.Unix()
	k, _ := fmt.Fprintf(w, "2 %s %s %s %s %d %d %d %d %d %d %d %s OK\n", account, l.iface, l.src, l.dst, l.sport, l.dport, l.proto, l.packets, l.bytes, t, t+60, action)
	return k
}

func writeNSG(w *bufio.Writer, s *flowSpec, l flowLine, first bool) int {
	n := 0
	if first {
		k, _ := w.WriteString(`{"records":[`)
		n += k
	} else {
		k, _ := w.WriteString(",\n")
		n += k
	}
	dir, dec := "I", "A"
	if l.outbound {
		dir = "O"
	}
	if !l.accept {
		dec = "D"
	}
	rule := l.rule
	if !strings.HasPrefix(rule, "DefaultRule_") && !strings.HasPrefix(rule, "UserRule_") {
		rule = "UserRule_" + rule
	}
	rec := map[string]any{
		"time": l.at.UTC().Format("2006-01-02T15:04:05.0000000Z"), "systemId": "5e4a1c2d-7f3b-4c1e-9a2b-0c1d2e3f4a5b",
		"category": "NetworkSecurityGroupFlowEvent", "operationName": "NetworkSecurityGroupFlowEvents",
		"resourceId": nsgFor(s, l),
		"properties": map[string]any{"Version": 2, "flows": []any{map[string]any{"rule": rule, "flows": []any{map[string]any{
			"mac": "000D3A5B1C2D", "flowTuples": []string{fmt.Sprintf("%d,%s,%s,%d,%d,T,%s,%s,E,%d,%d,%d,%d",
				l.at.Unix(), l.src, l.dst, l.sport, l.dport, dir, dec, l.packets/2, l.bytes/2, l.packets-l.packets/2, l.bytes-l.bytes/2)}}}}}},
	}
	b, _ := json.Marshal(rec)
	k, _ := w.Write(b)
	return n + k
}

// nsgFor names the NSG a flow is logged by: the plant's own for planted
// flows, a shared one for the background.
func nsgFor(s *flowSpec, l flowLine) string {
	for _, p := range s.plants {
		if p.Firewall != "" && (l.src == p.Source || strings.HasSuffix(l.rule, p.Rule)) {
			return strings.ToUpper(p.Firewall)
		}
	}
	return "/SUBSCRIPTIONS/" + strings.ToUpper(s.account) + "/RESOURCEGROUPS/RG-NET/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-FLOWS"
}

func writeGCPFlow(w *bufio.Writer, project string, l flowLine) int {
	reporter, vmSide, otherSide := "DEST", "dest_instance", "src_location"
	if l.outbound {
		reporter, vmSide, otherSide = "SRC", "src_instance", "dest_location"
	}
	payload := map[string]any{
		"connection": map[string]any{"src_ip": l.src, "src_port": l.sport, "dest_ip": l.dst, "dest_port": l.dport, "protocol": l.proto},
		"reporter":   reporter, "start_time": l.at.UTC().Format(time.RFC3339Nano), "end_time": l.at.Add(time.Minute).UTC().Format(time.RFC3339Nano),
		"bytes_sent": fmt.Sprint(l.bytes), "packets_sent": fmt.Sprint(l.packets),
		vmSide: map[string]any{"project_id": project, "vm_name": "vm-" + l.iface[len(l.iface)-6:], "zone": "europe-west1-b"},
	}
	if l.rule != "" && !strings.HasPrefix(l.rule, "Default") && !strings.HasPrefix(l.rule, "AllowWeb") {
		// Firewall Rules Logging names the rule that allowed the flow.
		delete(payload, "reporter")
		payload["disposition"] = "ALLOWED"
		if !l.accept {
			payload["disposition"] = "DENIED"
		}
		payload["instance"] = payload[vmSide]
		delete(payload, vmSide)
		payload["rule_details"] = map[string]any{"direction": "INGRESS", "reference": "network:default/firewall:" + strings.TrimPrefix(l.rule, "UserRule_")}
		payload["remote_location"] = map[string]any{"country": "nld"}
	} else if !isPrivate(l.src) || l.outbound {
		payload[otherSide] = map[string]any{"country": "usa", "continent": "America"}
	}
	if !l.accept && payload["disposition"] == nil {
		// VPC Flow Logs do not record denied packets.
		return 0
	}
	rec := map[string]any{"insertId": fmt.Sprintf("%x", l.at.UnixNano()), "jsonPayload": payload,
		"logName":   "projects/" + project + "/logs/compute.googleapis.com%2Fvpc_flows",
		"resource":  map[string]any{"type": "gce_subnetwork", "labels": map[string]any{"project_id": project, "subnetwork_name": "default"}},
		"timestamp": l.at.Add(90 * time.Second).UTC().Format(time.RFC3339Nano)}
	b, _ := json.Marshal(rec)
	k, _ := w.Write(append(b, '\n'))
	return k
}

func isPrivate(ip string) bool { return strings.HasPrefix(ip, "10.") }

// flowJoinable lists the firewall kinds whose traffic flow logs show.
var flowJoinable = map[string]bool{"security_group": true, "nsg": true, "nsg_rule": true, "vpc_firewall_rule": true}

// FlowPlantsFor picks the openings to weave traffic around: successful
// ingress allows to the whole internet on one port that ordinary traffic
// does not use, one per cloud, account and port (so that a used one cannot
// lend its traffic to an unused one), alternating used and unused.
func FlowPlantsFor(found []model.Finding) (plants []FlowPlant, from, to time.Time) {
	seen := map[string]bool{}
	for _, f := range found {
		if f.Outcome != model.Success || !flowJoinable[f.Resource.Type] || !f.Time.After(time.Time{}) {
			continue
		}
		for _, c := range f.Changes {
			if c.Effect == model.Removed || c.Action == model.Deny || c.Direction == model.Egress || len(c.Ports) != 1 ||
				c.Ports[0].From != c.Ports[0].To || c.Ports[0].From == 80 || c.Ports[0].From == 443 || !worldOpenPeers(c.Peers) {
				continue
			}
			port := c.Ports[0].From
			key := fmt.Sprint(f.Cloud, f.Account, port)
			if seen[key] {
				continue
			}
			seen[key] = true
			p := FlowPlant{Cloud: f.Cloud, Account: f.Account, Port: port, Opened: f.Time, Key: f.ID,
				Used: len(plants)%2 == 0, Source: fmt.Sprintf("192.0.2.%d", 10+len(plants))}
			switch f.Cloud {
			case model.Azure:
				if i := model.IndexFold(f.Resource.ID, "/securityrules/"); i >= 0 {
					p.Firewall, p.Rule = f.Resource.ID[:i], f.Resource.ID[i+len("/securityrules/"):]
				} else {
					continue
				}
			case model.GCP:
				p.Rule = f.Resource.ID[strings.LastIndex(f.Resource.ID, "/")+1:]
			}
			plants = append(plants, p)
			if from.IsZero() || f.Time.Before(from) {
				from = f.Time
			}
			if f.Time.After(to) {
				to = f.Time
			}
			break
		}
	}
	return plants, from, to
}

func worldOpenPeers(peers []model.Peer) bool {
	for _, p := range peers {
		switch {
		// Planted sources are IPv4 (192.0.2.x): an opening to ::/0 alone
		// admits none of them, so its "used" plant could never be used.
		case p.Kind == model.PeerCIDR && p.Value == "0.0.0.0/0",
			p.Kind == model.PeerAny,
			p.Kind == model.PeerServiceTag && strings.EqualFold(p.Value, "Internet"):
			return true
		}
	}
	return false
}
