package azure

import (
	"net/netip"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// databasePorts is the TCP port a database server's firewall rules admit
// clients to, by resource provider.
var databasePorts = map[string]int{
	"microsoft.sql":             1433,
	"microsoft.synapse":         1433,
	"microsoft.dbforpostgresql": 5432,
	"microsoft.dbformysql":      3306,
	"microsoft.dbformariadb":    3306,
}

// databasePort returns the port for a .../firewallRules type path of a
// database provider.
func databasePort(typePath string) (int, bool) {
	if !strings.HasSuffix(typePath, "firewallrules") {
		return 0, false
	}
	provider, _, _ := strings.Cut(typePath, "/")
	port, ok := databasePorts[provider]
	return port, ok
}

// databaseRule reads SQL, Synapse, PostgreSQL, MySQL and MariaDB
// firewallRules writes and deletes. These rules only allow, always TCP to
// the engine's port, from startIpAddress to endIpAddress (0.0.0.0-0.0.0.0
// is Azure's "allow Azure services" rule, judged by detect).
func (p *parser) databaseRule() {
	port, _ := databasePort(p.typePath)
	c := model.RuleChange{
		Direction: model.Ingress,
		Action:    model.Allow,
		Protocol:  "tcp",
		Ports:     model.PortList{{From: port, To: port}},
		Name:      lastSegment(p.rid),
	}
	switch p.verb {
	case "delete":
		c.Effect = model.Removed
	case "write":
		if p.body == nil {
			return
		}
		c.Effect = model.Added
		c.Name = firstNonEmpty(strings.TrimSpace(jv.Str(p.body, "name")), c.Name)
		rule := label("firewall rule", c.Name)
		start := strings.TrimSpace(jv.Str(p.props, "startIpAddress"))
		end := strings.TrimSpace(jv.Str(p.props, "endIpAddress"))
		if start == "" && end == "" {
			return
		}
		if start == "" || end == "" {
			p.note("%s: only one end of the address range logged (start %q, end %q)", rule, start, end)
			start = firstNonEmpty(start, end)
			end = start
		}
		for i, a := range []string{start, end} {
			if i == 1 && a == start {
				break
			}
			if _, err := netip.ParseAddr(a); err != nil {
				p.note("%s: unparseable address %q kept as logged", rule, a)
			}
		}
		c.Peers = []model.Peer{{Kind: model.PeerRange, Value: start + "-" + end}}
		p.note("firewallRules/write is create-or-update: %s may have replaced an existing rule of that name", rule)
	default:
		return
	}
	p.ev.Changes = append(p.ev.Changes, c)
}

// databaseServer reads the server's public network access switch (SQL
// logs it at properties.publicNetworkAccess, flexible servers under
// properties.network).
func (p *parser) databaseServer() {
	if p.verb != "write" || p.body == nil {
		return
	}
	if s := firstStr(p.props, []string{"publicNetworkAccess"}, []string{"network", "publicNetworkAccess"}); s != "" {
		p.set(model.SettingPublicAccess, s)
	}
}
