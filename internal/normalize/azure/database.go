package azure

import (
	"net/netip"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// databasePorts is the TCP ports a PaaS server's firewall rules admit
// clients to, by resource provider.
var databasePorts = map[string]model.PortRange{
	"microsoft.sql":             {From: 1433, To: 1433},
	"microsoft.synapse":         {From: 1433, To: 1433},
	"microsoft.dbforpostgresql": {From: 5432, To: 5432},
	"microsoft.dbformysql":      {From: 3306, To: 3306},
	"microsoft.dbformariadb":    {From: 3306, To: 3306},
	// Azure Cache for Redis: 6380 (TLS) and 6379 (when the non-TLS port
	// is enabled).
	"microsoft.cache": {From: 6379, To: 6380},
}

// databasePort returns the ports for a .../firewallRules type path of a
// PaaS provider (Redis: only microsoft.cache/redis/firewallrules).
func databasePort(typePath string) (model.PortRange, bool) {
	if !strings.HasSuffix(typePath, "firewallrules") {
		return model.PortRange{}, false
	}
	provider, _, _ := strings.Cut(typePath, "/")
	if provider == "microsoft.cache" && typePath != "microsoft.cache/redis/firewallrules" {
		return model.PortRange{}, false
	}
	pr, ok := databasePorts[provider]
	return pr, ok
}

// databaseRule reads SQL, Synapse, PostgreSQL, MySQL, MariaDB and Redis
// firewallRules writes and deletes. These rules only allow, always TCP to
// the engine's ports, from startIpAddress to endIpAddress (Redis: startIP
// to endIP). 0.0.0.0-0.0.0.0 is the database services' "allow Azure
// services" rule, judged by detect; Redis gives it no such meaning.
func (p *parser) databaseRule() {
	ports, _ := databasePort(p.typePath)
	c := model.RuleChange{
		Direction: model.Ingress,
		Action:    model.Allow,
		Protocol:  "tcp",
		Ports:     model.PortList{ports},
		Name:      lastSegment(p.rid),
	}
	redis := p.typePath == "microsoft.cache/redis/firewallrules"
	switch p.verb {
	case "delete":
		c.Effect = model.Removed
		if redis {
			p.note("Azure Cache for Redis admits every address when it has no firewall rules: if %s was the cache's last rule and public network access is enabled, the cache is now open to the internet",
				label("firewall rule", c.Name))
		}
	case "write":
		if p.body == nil {
			return
		}
		c.Effect = model.Added
		c.Name = firstNonEmpty(strings.TrimSpace(jv.Str(p.body, "name")), c.Name)
		rule := label("firewall rule", c.Name)
		startKey, endKey := "startIpAddress", "endIpAddress"
		switch {
		case redis:
			startKey, endKey = "startIP", "endIP"
		case p.typePath == "microsoft.sql/servers/ipv6firewallrules":
			startKey, endKey = "startIPv6Address", "endIPv6Address"
		}
		start := strings.TrimSpace(jv.Str(p.props, startKey))
		end := strings.TrimSpace(jv.Str(p.props, endKey))
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
		if redis && start == "0.0.0.0" && end == "0.0.0.0" {
			// Not Azure services (the Redis firewall documents address
			// ranges only), nor one host: 0.0.0.0 is never a packet's
			// source, so the rule admits no client.
			c.Peers = []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/32"}}
			p.note("%s: Azure Cache for Redis gives 0.0.0.0-0.0.0.0 no \"allow Azure services\" meaning, and 0.0.0.0 is never a client's address: the rule admits no one (as the cache's only rule, it shuts every address out)", rule)
		}
		p.note("firewallRules/write is create-or-update: %s may have replaced an existing rule of that name", rule)
	default:
		return
	}
	p.ev.Changes = append(p.ev.Changes, c)
}

// databaseServer reads the server's public network access switch (SQL
// and Azure Cache for Redis log it at properties.publicNetworkAccess,
// flexible servers under properties.network).
func (p *parser) databaseServer() {
	if p.verb != "write" || p.body == nil {
		return
	}
	if s := firstStr(p.props, []string{"publicNetworkAccess"}, []string{"network", "publicNetworkAccess"}); s != "" {
		p.set(model.SettingPublicAccess, s)
	}
}
