package state

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

var (
	contentOnce sync.Once
	defContent  *content.Content
)

func newEngine(t testing.TB) *Engine {
	t.Helper()
	contentOnce.Do(func() {
		c, err := content.Default()
		if err != nil {
			panic(err)
		}
		defContent = c
	})
	return New(Options{Content: defContent, History: true})
}

var t0 = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)

func at(min, sec int) time.Time {
	return t0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
}

func cidr(v string) model.Peer { return model.Peer{Kind: model.PeerCIDR, Value: v} }

func ports(rs ...int) model.PortList {
	var l model.PortList
	for i := 0; i+1 < len(rs); i += 2 {
		l = append(l, model.PortRange{From: rs[i], To: rs[i+1]})
	}
	return l
}

// rc builds a rule change.
func rc(eff model.Effect, dir model.Direction, act model.Action, proto string, p model.PortList, peers ...model.Peer) model.RuleChange {
	return model.RuleChange{Effect: eff, Direction: dir, Action: act, Protocol: proto, Ports: p, Peers: peers}
}

func prio(c model.RuleChange, n int, name string) model.RuleChange {
	c.Priority, c.Name = model.IntPtr(n), name
	return c
}

func mrule(c model.RuleChange) model.Rule {
	c.Effect = ""
	return model.Rule{RuleChange: c}
}

// event builds a successful call.
func event(cloud model.Cloud, key string, when time.Time, res model.Resource, changes ...model.RuleChange) model.Event {
	return model.Event{Cloud: cloud, OperationKey: key, Operation: key, Time: when, Outcome: model.Success,
		Resource: res, Changes: changes, Actor: model.Actor{Name: "alice"}, SourceIP: "203.0.113.9", EventID: key + when.Format(time.RFC3339)}
}

var (
	sg    = model.Resource{Type: "security_group", ID: "sg-0abc"}
	nacl  = model.Resource{Type: "network_acl", ID: "acl-0abc"}
	nsgID = "/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg-app"
	nsgR  = model.Resource{Type: "nsg", ID: nsgID, Name: "nsg-app"}
)

func gcpRule(name string) model.Resource {
	return model.Resource{Type: "vpc_firewall_rule", ID: "projects/p1/global/firewalls/" + name, Name: name}
}

func internet(dir model.Direction, proto string, port int) Query {
	return Query{Direction: dir, Protocol: proto, Port: port}
}

func from(addr string, proto string, port int) Query {
	return Query{Direction: model.Ingress, Protocol: proto, Port: port, Peer: netip.MustParseAddr(addr)}
}
