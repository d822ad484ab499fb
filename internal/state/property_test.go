package state

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// The rollback the engine prints must undo the call: applying a random
// change to a random rule set and then the printed rollback commands,
// read back as the calls they make, restores the firewall's effective
// rules exactly. The commands are interpreted as their CLIs define them
// (gcloud firewall-rules update keeps a rule's action and direction); an
// unknown command or flag fails the test.

func TestRollbackRestoresRules(t *testing.T) {
	const cases = 400
	for _, fam := range []string{"sg", "nacl", "nsg", "gcp", "sql"} {
		t.Run(fam, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(fam))))
			for i := range cases {
				g := &gen{r: rng, fam: fam}
				base, res := g.firewall()
				ev := g.change(base)
				e := newEngine(t)
				e.Load([]model.Firewall{base})
				before := effectiveKeys(t, e, fam, res)
				ch := e.Apply(&ev, "")
				if !ch.Applied || ch.NoOp {
					continue
				}
				for j, cmd := range ch.Rollback {
					if strings.HasPrefix(cmd, "#") {
						t.Fatalf("case %d: %s\nrollback %d is not a command: %s\nbaseline %s", i, describeEvent(ev), j, cmd, dump(base))
					}
					for _, undo := range interpret(t, e, cmd, res) {
						undo.Time = ev.Time.Add(1)
						e.Apply(&undo, "")
					}
				}
				if after := effectiveKeys(t, e, fam, res); !slices.Equal(before, after) {
					t.Fatalf("case %d: %s\nrollback %q\nbefore %q\nafter  %q", i, describeEvent(ev), ch.Rollback, before, after)
				}
			}
		})
	}
}

// gen draws rule sets and changes.
type gen struct {
	r   *rand.Rand
	fam string
	n   int
}

var peerPool = []string{"0.0.0.0/0", "10.0.0.0/8", "203.0.113.0/24", "198.51.100.7/32", "::/0", "192.0.2.0/25"}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) rule(dir model.Direction) model.RuleChange {
	c := model.RuleChange{Direction: dir, Action: model.Allow}
	switch g.r.IntN(5) {
	case 0:
		c.Protocol = "all"
	case 1:
		c.Protocol = "icmp"
	case 2:
		c.Protocol = "udp"
	default:
		c.Protocol = "tcp"
	}
	if portBearing(c.Protocol) {
		from := []int{22, 80, 443, 1000, 3389, 0}[g.r.IntN(6)]
		to := from
		if from == 1000 {
			to = 2000
		} else if from == 0 {
			to = 65535
		}
		c.Ports = model.PortList{{From: from, To: to}}
	}
	peer := g.pick(peerPool)
	if g.fam == "nacl" && peer == "::/0" {
		peer = "0.0.0.0/0" // one address family per entry keeps --cidr-block honest
	}
	c.Peers = []model.Peer{cidr(peer)}
	if g.fam != "sg" && g.r.IntN(3) == 0 {
		c.Action = model.Deny
	}
	if g.fam == "gcp" && g.r.IntN(3) == 0 {
		c.Targets = []string{g.pick([]string{"web", "db"})}
	}
	return c
}

func (g *gen) dir() model.Direction {
	if g.r.IntN(3) == 0 {
		return model.Egress
	}
	return model.Ingress
}

// firewall returns a random baseline firewall.
func (g *gen) firewall() (model.Firewall, model.Resource) {
	fw := model.Firewall{AsOf: t0}
	n := g.r.IntN(5)
	switch g.fam {
	case "sg":
		fw.Cloud, fw.Resource, fw.Region = model.AWS, sg, ""
		for range n {
			g.n++
			r := model.Rule{RuleChange: g.rule(g.dir()), ID: fmt.Sprintf("sgr-%017d", g.n)}
			fw.Rules = append(fw.Rules, r)
		}
	case "nacl":
		fw.Cloud, fw.Resource = model.AWS, nacl
		used := map[string]bool{}
		for range n {
			c := g.rule(g.dir())
			num := []int{90, 100, 110, 120}[g.r.IntN(4)]
			k := fmt.Sprint(c.Direction, num)
			if used[k] {
				continue
			}
			used[k] = true
			fw.Rules = append(fw.Rules, model.Rule{RuleChange: prio(c, num, strconv.Itoa(num))})
		}
	case "nsg":
		fw.Cloud, fw.Resource = model.Azure, nsgR
		used := map[int]bool{}
		for i := range n {
			p := 100 + 10*g.r.IntN(6)
			if used[p] {
				continue
			}
			used[p] = true
			fw.Rules = append(fw.Rules, model.Rule{RuleChange: prio(g.rule(g.dir()), p, fmt.Sprintf("rule-%d", i))})
		}
	case "sql":
		fw.Cloud, fw.Resource = model.Azure, model.Resource{Type: "sql_server", ID: sqlServerID, Name: lastSegment(sqlServerID)}
		// A snapshot that gives public network access (az sql server
		// show does); one without it leaves the undo of a switch a
		// placeholder (TestPublicAccessToggle).
		access := g.pick([]string{"enabled", "disabled"})
		fw.Settings = map[string]string{model.SettingPublicAccess: access}
		for i := range n {
			r := mrule(sqlRule("", fmt.Sprintf("rule-%d", i), g.pick(sqlRanges)))
			r.Disabled = access == "disabled"
			fw.Rules = append(fw.Rules, r)
		}
	case "gcp":
		res := gcpRule("fw-1")
		fw.Cloud, fw.Resource, fw.Network, fw.Account = model.GCP, res, "default", "p1"
		c := prio(g.rule(g.dir()), 1000, "fw-1")
		fw.Rules = []model.Rule{{RuleChange: c, Disabled: g.r.IntN(4) == 0}}
	}
	return fw, fw.Resource
}

// change returns a random call on fw.
func (g *gen) change(fw model.Firewall) model.Event {
	at := at(5, 0)
	existing := func() (model.Rule, bool) {
		if len(fw.Rules) == 0 {
			return model.Rule{}, false
		}
		return fw.Rules[g.r.IntN(len(fw.Rules))], true
	}
	switch g.fam {
	case "sg":
		if old, ok := existing(); ok && g.r.IntN(2) == 0 {
			c := old.RuleChange
			c.Effect = model.Removed
			key := "ec2:revokesecuritygroupingress"
			if c.Direction == model.Egress {
				key = "ec2:revokesecuritygroupegress"
			}
			return event(model.AWS, key, at, sg, c)
		}
		c := g.rule(g.dir())
		c.Effect, c.Name = model.Added, "sgr-99999999999999999"
		key := "ec2:authorizesecuritygroupingress"
		if c.Direction == model.Egress {
			key = "ec2:authorizesecuritygroupegress"
		}
		return event(model.AWS, key, at, sg, c)
	case "nacl":
		old, ok := existing()
		switch {
		case ok && g.r.IntN(3) == 0:
			c := model.RuleChange{Effect: model.Removed, Direction: old.Direction, Priority: old.Priority, Name: old.Name}
			return event(model.AWS, "ec2:deletenetworkaclentry", at, nacl, c)
		case ok && g.r.IntN(2) == 0:
			c := prio(g.rule(old.Direction), *old.Priority, old.Name)
			c.Effect = model.Altered
			return event(model.AWS, "ec2:replacenetworkaclentry", at, nacl, c)
		}
		num := []int{80, 130, 140}[g.r.IntN(3)]
		c := prio(g.rule(g.dir()), num, strconv.Itoa(num))
		c.Effect = model.Added
		return event(model.AWS, "ec2:createnetworkaclentry", at, nacl, c)
	case "nsg":
		old, ok := existing()
		rule := func(name string) model.Resource {
			return model.Resource{Type: "nsg_rule", ID: nsgID + "/securityRules/" + name, Name: name}
		}
		switch {
		case ok && g.r.IntN(3) == 0:
			c := model.RuleChange{Effect: model.Removed, Name: old.Name}
			return event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/delete", at, rule(old.Name), c)
		case ok && g.r.IntN(2) == 0:
			c := prio(g.rule(g.dir()), *old.Priority, old.Name)
			c.Effect = model.Added
			return event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", at, rule(old.Name), c)
		}
		c := prio(g.rule(g.dir()), 95, "new-rule")
		c.Effect = model.Added
		return event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", at, rule("new-rule"), c)
	}
	if g.fam == "sql" {
		return g.sqlChange(fw, at)
	}
	// GCP: patch the peers or the protocols, disable, enable or delete.
	old := fw.Rules[0]
	res := fw.Resource
	switch g.r.IntN(5) {
	case 0:
		return event(model.GCP, "compute.firewalls.delete", at, res)
	case 1, 2:
		ev := event(model.GCP, "compute.firewalls.patch", at, res)
		ev.Settings = map[string]string{model.SettingDisabled: strconv.FormatBool(!old.Disabled)}
		return ev
	case 3:
		c := model.RuleChange{Effect: model.Altered, Peers: []model.Peer{cidr(g.pick(peerPool))}}
		if g.r.IntN(2) == 0 {
			return event(model.GCP, "compute.firewalls.patch", at, res, c)
		}
		// Target tags, source tags or service accounts sent too, or
		// cleared: each field sent replaces that field only.
		ev := event(model.GCP, "compute.firewalls.patch", at, res)
		ev.Sent = []string{}
		c.Peers = nil
		for i := range nGCPFields {
			if g.r.IntN(3) != 0 || old.Direction == model.Egress && (gcpField(i) == fSourceTags || gcpField(i) == fSourceSAs) {
				continue
			}
			ev.Sent = append(ev.Sent, gcpFieldNames[i])
			if g.r.IntN(3) == 0 {
				continue // sent empty: cleared
			}
			egress := old.Direction == model.Egress
			switch gcpField(i) {
			case fSourceRanges:
				if egress {
					c.Targets = append(c.Targets, "10.2.0.0/24")
					continue
				}
				c.Peers = append(c.Peers, cidr(g.pick(peerPool)))
			case fSourceTags:
				c.Peers = append(c.Peers, model.Peer{Kind: model.PeerTag, Value: g.pick([]string{"bastion", "web"})})
			case fSourceSAs:
				c.Peers = append(c.Peers, model.Peer{Kind: model.PeerServiceAccount, Value: "ci@p1.iam.gserviceaccount.com"})
			case fDestinationRanges:
				if egress {
					c.Peers = append(c.Peers, cidr(g.pick(peerPool)))
					continue
				}
				c.Targets = append(c.Targets, "10.1.0.0/24")
			case fTargetTags:
				c.Targets = append(c.Targets, g.pick([]string{"web", "db", "api"}))
			case fTargetSAs:
				c.Targets = append(c.Targets, "app@p1.iam.gserviceaccount.com")
			}
		}
		if len(ev.Sent) == 0 {
			ev.Sent = []string{"targettags"}
		}
		c.Direction = old.Direction
		ev.Changes = []model.RuleChange{c}
		return ev
	}
	n := g.rule(old.Direction)
	c := model.RuleChange{Effect: model.Altered, Action: old.Action, Protocol: n.Protocol, Ports: n.Ports}
	return event(model.GCP, "compute.firewalls.patch", at, res, c)
}

// effectiveKeys lists a firewall's rules in force by content (and name
// where the cloud keys rules by name), sorted.
func effectiveKeys(t *testing.T, e *Engine, fam string, res model.Resource) []string {
	t.Helper()
	fw, _, ok := e.At("", res, t0)
	_ = fw
	f, ok2 := e.fws[firewallKey(cloudOf(fam), res)]
	if !ok2 && !ok {
		return nil
	}
	var out []string
	if f == nil || f.deleted {
		return []string{"deleted"}
	}
	for _, r := range f.rules {
		k := tupleKey(&r.Rule)
		if fam != "sg" {
			k += "|" + strings.ToLower(r.Name)
		}
		if r.Disabled {
			k += "|disabled"
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func cloudOf(fam string) model.Cloud {
	switch fam {
	case "nsg", "sql":
		return model.Azure
	case "gcp":
		return model.GCP
	}
	return model.AWS
}

func describeEvent(ev model.Event) string {
	b, _ := json.Marshal(ev.Changes)
	return fmt.Sprintf("%s %s changes=%s settings=%v", ev.OperationKey, ev.Resource.ID, b, ev.Settings)
}

func dump(fw model.Firewall) string {
	b, _ := json.Marshal(fw.Rules)
	return string(b)
}

// interpret reads one printed command back as the call it makes.
func interpret(t *testing.T, e *Engine, cmd string, res model.Resource) []model.Event {
	t.Helper()
	words, err := testutil.ShellWords(cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	flags := map[string]string{}
	var pos []string
	var bare []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "--") {
			pos = append(pos, w)
			continue
		}
		if k, v, ok := strings.Cut(w, "="); ok {
			flags[k] = v
			continue
		}
		switch w {
		case "--ingress", "--egress", "--disabled", "--no-disabled", "--quiet":
			bare = append(bare, w)
			continue
		}
		var vals []string
		for i+1 < len(words) && !strings.HasPrefix(words[i+1], "--") {
			i++
			vals = append(vals, words[i])
		}
		flags[w] = strings.Join(vals, " ")
	}
	verb := strings.Join(pos, " ")
	if strings.HasPrefix(verb, "gcloud compute firewall-rules ") && len(pos) == 5 {
		verb = strings.Join(pos[:4], " ") // the rule's name follows the verb
	}
	ev := func(cloud model.Cloud, key string, r model.Resource, cs ...model.RuleChange) model.Event {
		return model.Event{Cloud: cloud, OperationKey: key, Operation: key, Outcome: model.Success, Resource: r, Changes: cs}
	}
	dir := model.Ingress
	if slices.Contains(bare, "--egress") || strings.HasSuffix(verb, "egress") {
		dir = model.Egress
	}
	switch verb {
	case "aws ec2 authorize-security-group-ingress", "aws ec2 authorize-security-group-egress",
		"aws ec2 revoke-security-group-ingress", "aws ec2 revoke-security-group-egress":
		key := "ec2:" + strings.ReplaceAll(strings.TrimPrefix(verb, "aws ec2 "), "-", "")
		eff := model.Added
		if strings.Contains(verb, "revoke") {
			eff = model.Removed
		}
		r := model.Resource{Type: "security_group", ID: flags["--group-id"]}
		if ids := flags["--security-group-rule-ids"]; ids != "" {
			var cs []model.RuleChange
			for _, id := range strings.Fields(ids) {
				cs = append(cs, model.RuleChange{Effect: eff, Direction: dir, Name: id})
			}
			return []model.Event{ev(model.AWS, key, r, cs...)}
		}
		var perms []struct {
			IpProtocol       string
			FromPort, ToPort *int
			IpRanges         []struct{ CidrIp string }
			Ipv6Ranges       []struct{ CidrIpv6 string }
		}
		if err := json.Unmarshal([]byte(flags["--ip-permissions"]), &perms); err != nil {
			t.Fatalf("%s: --ip-permissions: %v", cmd, err)
		}
		var cs []model.RuleChange
		for _, p := range perms {
			c := model.RuleChange{Effect: eff, Direction: dir, Action: model.Allow, Protocol: p.IpProtocol}
			if p.FromPort != nil && portBearing(protoName(p.IpProtocol)) {
				c.Ports = model.PortList{{From: *p.FromPort, To: *p.ToPort}}
			}
			for _, x := range p.IpRanges {
				c.Peers = append(c.Peers, cidr(x.CidrIp))
			}
			for _, x := range p.Ipv6Ranges {
				c.Peers = append(c.Peers, cidr(x.CidrIpv6))
			}
			cs = append(cs, c)
		}
		return []model.Event{ev(model.AWS, key, r, cs...)}
	case "aws ec2 create-network-acl-entry", "aws ec2 replace-network-acl-entry", "aws ec2 delete-network-acl-entry":
		r := model.Resource{Type: "network_acl", ID: flags["--network-acl-id"]}
		n, err := strconv.Atoi(flags["--rule-number"])
		if err != nil {
			t.Fatalf("%s: --rule-number: %v", cmd, err)
		}
		c := model.RuleChange{Direction: dir, Priority: model.IntPtr(n), Name: strconv.Itoa(n)}
		key := "ec2:" + strings.ReplaceAll(strings.TrimPrefix(verb, "aws ec2 "), "-", "")
		if strings.Contains(verb, "delete") {
			c.Effect = model.Removed
			return []model.Event{ev(model.AWS, key, r, c)}
		}
		c.Effect = model.Added
		if strings.Contains(verb, "replace") {
			c.Effect = model.Altered
		}
		c.Action = model.Action(flags["--rule-action"])
		c.Protocol = protoName(flags["--protocol"])
		if pr := flags["--port-range"]; pr != "" {
			var from, to int
			if _, err := fmt.Sscanf(pr, "From=%d,To=%d", &from, &to); err != nil {
				t.Fatalf("%s: --port-range: %v", cmd, err)
			}
			c.Ports = model.PortList{{From: from, To: to}}
		}
		c.Peers = []model.Peer{cidr(flags["--cidr-block"] + flags["--ipv6-cidr-block"])}
		return []model.Event{ev(model.AWS, key, r, c)}
	case "az network nsg rule create", "az network nsg rule delete":
		nsgIDNow := res.ID
		name := flags["--name"]
		r := model.Resource{Type: "nsg_rule", ID: nsgIDNow + "/securityRules/" + name, Name: name}
		if strings.HasSuffix(verb, "delete") {
			return []model.Event{ev(model.Azure, "microsoft.network/networksecuritygroups/securityrules/delete", r, model.RuleChange{Effect: model.Removed, Name: name})}
		}
		p, _ := strconv.Atoi(flags["--priority"])
		c := model.RuleChange{Effect: model.Added, Name: name, Priority: model.IntPtr(p), Action: model.Action(strings.ToLower(flags["--access"])), Protocol: protoName(flags["--protocol"])}
		c.Direction = model.Ingress
		peersFlag, targetsFlag := "--source-address-prefixes", "--destination-address-prefixes"
		if flags["--direction"] == "Outbound" {
			c.Direction = model.Egress
			peersFlag, targetsFlag = targetsFlag, peersFlag
		}
		for _, v := range strings.Fields(flags[peersFlag]) {
			if v == "*" {
				c.Peers = append(c.Peers, model.Peer{Kind: model.PeerAny, Value: "*"})
			} else {
				c.Peers = append(c.Peers, cidr(v))
			}
		}
		if tg := flags[targetsFlag]; tg != "*" {
			c.Targets = strings.Fields(tg)
		}
		for _, v := range strings.Fields(flags["--destination-port-ranges"]) {
			if v == "*" {
				c.Ports = append(c.Ports, model.AllPortRange)
				continue
			}
			lo, hi, _ := strings.Cut(v, "-")
			a, _ := strconv.Atoi(lo)
			b := a
			if hi != "" {
				b, _ = strconv.Atoi(hi)
			}
			c.Ports = append(c.Ports, model.PortRange{From: a, To: b})
		}
		return []model.Event{ev(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", r, c)}
	case "az sql server firewall-rule create", "az sql server firewall-rule update", "az sql server firewall-rule delete":
		name := flags["--name"]
		r := model.Resource{Type: "sql_firewall_rule", ID: res.ID + "/firewallRules/" + name, Name: name}
		if strings.HasSuffix(verb, "delete") {
			return []model.Event{ev(model.Azure, "microsoft.sql/servers/firewallrules/delete", r, sqlRule(model.Removed, name, ""))}
		}
		rng := flags["--start-ip-address"] + "-" + flags["--end-ip-address"]
		return []model.Event{ev(model.Azure, "microsoft.sql/servers/firewallrules/write", r, sqlRule(model.Added, name, rng))}
	case "az sql server update":
		out := ev(model.Azure, "microsoft.sql/servers/write", res)
		out.Settings = map[string]string{model.SettingPublicAccess: map[string]string{"true": "enabled", "false": "disabled"}[flags["--enable-public-network"]]}
		return []model.Event{out}
	case "gcloud compute firewall-rules delete":
		return []model.Event{ev(model.GCP, "compute.firewalls.delete", res)}
	case "gcloud compute firewall-rules update", "gcloud compute firewall-rules create":
		cur, _ := e.Firewall(model.GCP, res)
		var action model.Action
		var d model.Direction
		if len(cur.Rules) > 0 {
			action, d = cur.Rules[0].Action, cur.Rules[0].Direction
		}
		key := "compute.firewalls.patch"
		if strings.HasSuffix(verb, "create") {
			key = "compute.firewalls.insert"
			action = model.Action(strings.ToLower(flags["--action"]))
			d = model.Direction(strings.ToLower(flags["--direction"]))
		}
		// The list flags as the patch gcloud sends: each one given
		// replaces its field, an empty one clears it.
		list := func(flag string) []string {
			if v := flags[flag]; v != "" {
				return strings.Split(v, ",")
			}
			return nil
		}
		var peers []model.Peer
		var targets, patched []string
		for i, flag := range gcpFieldFlags {
			if _, ok := flags[flag]; ok {
				patched = append(patched, gcpFieldNames[i])
			}
			for _, v := range list(flag) {
				switch {
				case gcpField(i) == fSourceTags:
					peers = append(peers, model.Peer{Kind: model.PeerTag, Value: v})
				case gcpField(i) == fSourceSAs:
					peers = append(peers, model.Peer{Kind: model.PeerServiceAccount, Value: v})
				case gcpField(i) == fTargetTags, gcpField(i) == fTargetSAs,
					gcpField(i) == fDestinationRanges && d != model.Egress, gcpField(i) == fSourceRanges && d == model.Egress:
					targets = append(targets, v)
				default:
					peers = append(peers, cidr(v))
				}
			}
		}
		var prio *int
		if p := flags["--priority"]; p != "" {
			n, _ := strconv.Atoi(p)
			prio = model.IntPtr(n)
		}
		var cs []model.RuleChange
		for _, spec := range strings.Split(flags["--rules"], ",") {
			if spec == "" {
				continue
			}
			proto, port, _ := strings.Cut(spec, ":")
			c := model.RuleChange{Effect: model.Altered, Direction: d, Action: action, Protocol: proto, Peers: peers, Targets: targets, Priority: prio, Name: lastSegment(res.ID)}
			if port != "" {
				lo, hi, _ := strings.Cut(port, "-")
				a, _ := strconv.Atoi(lo)
				b := a
				if hi != "" {
					b, _ = strconv.Atoi(hi)
				}
				c.Ports = model.PortList{{From: a, To: b}}
			}
			cs = append(cs, c)
		}
		if len(cs) == 0 && (patched != nil || prio != nil) {
			cs = append(cs, model.RuleChange{Effect: model.Altered, Direction: d, Peers: peers, Targets: targets, Priority: prio})
		}
		out := ev(model.GCP, key, res, cs...)
		if key == "compute.firewalls.patch" {
			out.Sent = append([]string{}, patched...)
		}
		switch {
		case slices.Contains(bare, "--disabled"):
			out.Settings = map[string]string{model.SettingDisabled: "true"}
		case slices.Contains(bare, "--no-disabled"):
			out.Settings = map[string]string{model.SettingDisabled: "false"}
		}
		return []model.Event{out}
	}
	t.Fatalf("rollback command not understood by the test: %s", cmd)
	return nil
}

// sqlRanges are the address ranges of generated Azure SQL rules (the
// world, a public /24, a private range, the Azure-services rule).
var sqlRanges = []string{"0.0.0.0-255.255.255.255", "203.0.113.0-203.0.113.255", "10.0.0.1-10.0.0.9", "0.0.0.0-0.0.0.0"}

// sqlChange returns a random call on an Azure SQL server's rules: a rule
// deleted, overwritten or added, or public network access switched.
func (g *gen) sqlChange(fw model.Firewall, at time.Time) model.Event {
	rule := func(name string) model.Resource {
		return model.Resource{Type: "sql_firewall_rule", ID: sqlServerID + "/firewallRules/" + name, Name: name}
	}
	var old model.Rule
	ok := len(fw.Rules) > 0
	if ok {
		old = fw.Rules[g.r.IntN(len(fw.Rules))]
	}
	switch {
	case g.r.IntN(4) == 0:
		ev := event(model.Azure, "microsoft.sql/servers/write", at, fw.Resource)
		ev.Settings = map[string]string{model.SettingPublicAccess: g.pick([]string{"enabled", "disabled"})}
		return ev
	case ok && g.r.IntN(3) == 0:
		return event(model.Azure, "microsoft.sql/servers/firewallrules/delete", at, rule(old.Name), sqlRule(model.Removed, old.Name, ""))
	case ok && g.r.IntN(2) == 0:
		return event(model.Azure, "microsoft.sql/servers/firewallrules/write", at, rule(old.Name), sqlRule(model.Added, old.Name, g.pick(sqlRanges)))
	}
	name := fmt.Sprintf("new-%d", g.r.IntN(3))
	return event(model.Azure, "microsoft.sql/servers/firewallrules/write", at, rule(name), sqlRule(model.Added, name, g.pick(sqlRanges)))
}
