package state

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestRollbackPaaSFirewallRules: the rules of PostgreSQL and MySQL flexible
// servers, Synapse workspaces and Redis caches are undone with their own
// CLI, as Azure SQL's are; a Redis delete first warns that a cache
// without rules admits every address.
func TestRollbackPaaSFirewallRules(t *testing.T) {
	const sub = "/subscriptions/s-1/resourceGroups/rg-db/providers/"
	for _, tt := range []struct {
		server, op, create, update, del string
		warn                            bool
	}{
		{"Microsoft.DBforPostgreSQL/flexibleServers/pg-1", "microsoft.dbforpostgresql/flexibleservers/firewallrules",
			"az postgres flexible-server firewall-rule create --subscription s-1 --resource-group rg-db --name pg-1 --rule-name office --start-ip-address 203.0.113.0 --end-ip-address 203.0.113.255",
			"az postgres flexible-server firewall-rule update --subscription s-1 --resource-group rg-db --name pg-1 --rule-name office --start-ip-address 203.0.113.0 --end-ip-address 203.0.113.255",
			"az postgres flexible-server firewall-rule delete --subscription s-1 --resource-group rg-db --name pg-1 --rule-name anyone", false},
		{"Microsoft.DBforMySQL/flexibleServers/my-1", "microsoft.dbformysql/flexibleservers/firewallrules",
			"az mysql flexible-server firewall-rule create --subscription s-1 --resource-group rg-db --name my-1 --rule-name office --start-ip-address 203.0.113.0 --end-ip-address 203.0.113.255",
			"az mysql flexible-server firewall-rule update --subscription s-1 --resource-group rg-db --name my-1 --rule-name office --start-ip-address 203.0.113.0 --end-ip-address 203.0.113.255",
			"az mysql flexible-server firewall-rule delete --subscription s-1 --resource-group rg-db --name my-1 --rule-name anyone", false},
		{"Microsoft.Synapse/workspaces/syn-1", "microsoft.synapse/workspaces/firewallrules",
			"az synapse workspace firewall-rule create --subscription s-1 --resource-group rg-db --workspace-name syn-1 --name office --start-ip-address 203.0.113.0 --end-ip-address 203.0.113.255",
			"az synapse workspace firewall-rule update --subscription s-1 --resource-group rg-db --workspace-name syn-1 --name office --start-ip-address 203.0.113.0 --end-ip-address 203.0.113.255",
			"az synapse workspace firewall-rule delete --subscription s-1 --resource-group rg-db --workspace-name syn-1 --name anyone", false},
		{"Microsoft.Cache/Redis/cache-1", "microsoft.cache/redis/firewallrules",
			"az redis firewall-rules create --subscription s-1 --resource-group rg-db --name cache-1 --rule-name office --start-ip 203.0.113.0 --end-ip 203.0.113.255",
			"az redis firewall-rules update --subscription s-1 --resource-group rg-db --name cache-1 --rule-name office --start-ip 203.0.113.0 --end-ip 203.0.113.255",
			"az redis firewall-rules delete --subscription s-1 --resource-group rg-db --name cache-1 --rule-name anyone", true},
	} {
		t.Run(tt.op, func(t *testing.T) {
			id := sub + tt.server
			res := func(name string) model.Resource {
				return model.Resource{Type: "sql_firewall_rule", ID: id + "/firewallRules/" + name, Name: name}
			}
			// Each call on a fresh engine loaded with the server's one rule.
			apply := func(verb, name string, c model.RuleChange) []string {
				e := newEngine(t)
				e.Load([]model.Firewall{{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: id, Name: lastSegment(id)}, AsOf: t0,
					Rules: []model.Rule{mrule(sqlRule("", "office", "203.0.113.0-203.0.113.255"))}}})
				return e.Apply(new(event(model.Azure, tt.op+"/"+verb, at(1, 0), res(name), c)), "").Rollback
			}
			if got := apply("write", "office", sqlRule(model.Added, "office", "0.0.0.0-255.255.255.255")); !slices.Equal(got, []string{tt.update}) {
				t.Errorf("overwritten rule: rollback %q\nwant %q", got, tt.update)
			}
			got := apply("write", "anyone", sqlRule(model.Added, "anyone", "0.0.0.0-255.255.255.255"))
			if len(got) == 0 || got[len(got)-1] != tt.del {
				t.Errorf("added rule: rollback %q\nwant last %q", got, tt.del)
			}
			if warned := len(got) == 2 && strings.HasPrefix(got[0], "# Azure Cache for Redis admits every address"); warned != tt.warn {
				t.Errorf("added rule: rollback %q, Redis warning %v, want %v", got, warned, tt.warn)
			}
			if got := apply("delete", "office", sqlRule(model.Removed, "office", "")); !slices.Equal(got, []string{tt.create}) {
				t.Errorf("deleted rule: rollback %q\nwant %q", got, tt.create)
			}
		})
	}
}

// TestSQLIPv6FirewallRules: an Azure SQL server's IPv6 rules are read
// apart from its IPv4 rules (a rule of either may share a name with one
// of the other), open a window when they admit every IPv6 address, and
// are undone through the REST API (the Azure CLI has no command for them).
func TestSQLIPv6FirewallRules(t *testing.T) {
	const server = "/subscriptions/s-1/resourceGroups/rg-db/providers/Microsoft.Sql/servers/sql-app"
	v4 := func(eff model.Effect, rng string) model.Event {
		return event(model.Azure, "microsoft.sql/servers/firewallrules/write", at(1, 0),
			model.Resource{Type: "sql_firewall_rule", ID: server + "/firewallRules/office", Name: "office"}, sqlRule(eff, "office", rng))
	}
	v6 := func(key string, when int, eff model.Effect, rng string) model.Event {
		return event(model.Azure, key, at(when, 0),
			model.Resource{Type: "sql_firewall_rule", ID: server + "/ipv6FirewallRules/office", Name: "office"}, sqlRule(eff, "office", rng))
	}
	e := newEngine(t)
	e.Apply(new(v4(model.Added, "203.0.113.0-203.0.113.255")), "")
	ch := e.Apply(new(v6("microsoft.sql/servers/ipv6firewallrules/write", 2, model.Added, "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")), "")
	if len(ch.Opened) != 1 || len(ch.Before.Rules) != 0 {
		t.Fatalf("the IPv6 rule opens a window and replaces no IPv4 rule: opened %d, before %+v", len(ch.Opened), ch.Before.Rules)
	}
	const url = "https://management.azure.com/subscriptions/s-1/resourceGroups/rg-db/providers/Microsoft.Sql/servers/sql-app/ipv6FirewallRules/office"
	if want := "az rest --method delete --url " + url + " --uri-parameters api-version=2021-11-01"; len(ch.Rollback) != 1 || ch.Rollback[0] != want {
		t.Errorf("rollback %q\nwant %q", ch.Rollback, want)
	}
	ch = e.Apply(new(v6("microsoft.sql/servers/ipv6firewallrules/delete", 3, model.Removed, "")), "")
	if len(ch.Closed) != 1 {
		t.Errorf("deleting the IPv6 rule closes its window: %+v", ch.Closed)
	}
	want := "az rest --method put --url " + url + ` --uri-parameters api-version=2021-11-01 --body '{"properties":{"startIPv6Address":"::","endIPv6Address":"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}}'`
	if len(ch.Rollback) != 1 || ch.Rollback[0] != want {
		t.Errorf("rollback %q\nwant %q", ch.Rollback, want)
	}
	if fw, ok := e.Firewall(model.Azure, model.Resource{Type: "sql_server", ID: server}); !ok || len(fw.Rules) != 1 {
		t.Errorf("the IPv4 rule stays: %+v", fw.Rules)
	}
}

// TestRedisWithoutRulesAdmitsEveryone: deleting a Redis cache's last
// firewall rule opens a window (a cache with no rule admits every address
// while public network access is on); a rule written again closes it. A
// cache whose other rules are not known, or whose public access is off,
// opens none.
func TestRedisWithoutRulesAdmitsEveryone(t *testing.T) {
	const cache = "/subscriptions/s-1/resourceGroups/rg-db/providers/Microsoft.Cache/Redis/cache-1"
	rule := func(key string, when int, eff model.Effect, name, rng string) model.Event {
		c := sqlRule(eff, name, rng)
		c.Ports = ports(6379, 6380)
		return event(model.Azure, "microsoft.cache/redis/firewallrules/"+key, at(when, 0),
			model.Resource{Type: "sql_firewall_rule", ID: cache + "/firewallRules/" + name, Name: name}, c)
	}
	office := mrule(sqlRule("", "office", "203.0.113.0-203.0.113.255"))
	tests := []struct {
		name     string
		baseline *model.Firewall
		calls    []model.Event
		open     []bool // after each call: a window is open
	}{
		{"last rule deleted, then a rule written again",
			&model.Firewall{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: cache, Name: "cache-1"}, Rules: []model.Rule{office}},
			[]model.Event{rule("delete", 1, model.Removed, "office", ""), rule("write", 2, model.Added, "vpn", "198.51.100.0-198.51.100.255")},
			[]bool{true, false}},
		{"one of two rules deleted",
			&model.Firewall{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: cache, Name: "cache-1"}, Rules: []model.Rule{office,
				mrule(sqlRule("", "vpn", "198.51.100.0-198.51.100.255"))}},
			[]model.Event{rule("delete", 1, model.Removed, "office", "")},
			[]bool{false}},
		{"public network access off",
			&model.Firewall{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: cache, Name: "cache-1"}, Rules: []model.Rule{office},
				Settings: map[string]string{model.SettingPublicAccess: "disabled"}},
			[]model.Event{rule("delete", 1, model.Removed, "office", "")},
			[]bool{false}},
		{"no baseline: other rules may be left", nil,
			[]model.Event{rule("write", 1, model.Added, "office", "203.0.113.0-203.0.113.255"), rule("delete", 2, model.Removed, "office", "")},
			[]bool{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			if tt.baseline != nil {
				e.Load([]model.Firewall{*tt.baseline})
			}
			for i := range tt.calls {
				e.Apply(&tt.calls[i], "")
				var open []model.Window
				for _, w := range e.Windows() {
					if w.End == nil {
						open = append(open, w)
					}
				}
				if (len(open) > 0) != tt.open[i] {
					t.Fatalf("call %d: open windows %+v, want open %v", i, open, tt.open[i])
				}
				if len(open) > 0 && (open[0].Opened == nil || !strings.Contains(open[0].Opened.Why, "no firewall rule left") ||
					len(open[0].Rollback) != 2 || !strings.HasPrefix(open[0].Rollback[1], "az redis firewall-rules create --subscription s-1 --resource-group rg-db --name cache-1 ")) {
					t.Errorf("call %d: window %+v", i, open[0])
				}
			}
		})
	}
}

// TestPublicAccessToggle: public network access turned off on a Redis
// cache or an Azure SQL server leaves none of its firewall rules in force
// (their windows close; a rule written meanwhile opens none), and turned
// on again they apply (windows open); a Redis cache with no rule admits
// every address only while access is on. Each toggle's undo sets the
// earlier value back, a placeholder when it is not known.
func TestPublicAccessToggle(t *testing.T) {
	const sub = "/subscriptions/s-1/resourceGroups/rg-db/providers/"
	cache, sql := sub+"Microsoft.Cache/Redis/cache-1", sub+"Microsoft.Sql/servers/sql-1"
	access := func(id, v string, min int) model.Event {
		op := "microsoft.sql/servers/write"
		if strings.Contains(id, "Redis") {
			op = "microsoft.cache/redis/write"
		}
		ev := event(model.Azure, op, at(min, 0), model.Resource{Type: "sql_server", ID: id, Name: lastSegment(id)})
		ev.Settings = map[string]string{model.SettingPublicAccess: v}
		return ev
	}
	rule := func(id, name, rng string, min int) model.Event {
		op := "microsoft.sql/servers/firewallrules/write"
		if strings.Contains(id, "Redis") {
			op = "microsoft.cache/redis/firewallrules/write"
		}
		return event(model.Azure, op, at(min, 0), model.Resource{Type: "sql_firewall_rule", ID: id + "/firewallRules/" + name, Name: name},
			sqlRule(model.Added, name, rng))
	}
	rule6 := func(id, name string, min int) model.Event {
		return event(model.Azure, "microsoft.sql/servers/ipv6firewallrules/write", at(min, 0),
			model.Resource{Type: "sql_firewall_rule", ID: id + "/ipv6FirewallRules/" + name, Name: name},
			sqlRule(model.Added, name, "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
	}
	const redisSet = "az redis update --subscription s-1 --resource-group rg-db --name cache-1 --set publicNetworkAccess="
	for _, tt := range []struct {
		name     string
		baseline []model.Rule // nil: no baseline
		calls    []model.Event
		open     []bool // after each call: is a window open
		undo     string // the last call's undo (its last line)
	}{
		{"Redis rule open to all, access off then on", nil, []model.Event{
			rule(cache, "all", "0.0.0.0-255.255.255.255", 1), access(cache, "Disabled", 2), access(cache, "Enabled", 3),
		}, []bool{true, false, true}, redisSet + "Disabled"},
		{"Redis access off: its first undo is a placeholder", nil, []model.Event{
			rule(cache, "all", "0.0.0.0-255.255.255.255", 1), access(cache, "Disabled", 2),
		}, []bool{true, false}, redisSet + "'<ENABLED_OR_DISABLED>'"},
		{"Redis rule written while access is off opens nothing until on", nil, []model.Event{
			access(cache, "Disabled", 1), rule(cache, "all", "0.0.0.0-255.255.255.255", 2), access(cache, "Enabled", 3),
		}, []bool{false, false, true}, redisSet + "Disabled"},
		{"Redis with no rule: open only while access is on", []model.Rule{}, []model.Event{
			access(cache, "Disabled", 1), access(cache, "Enabled", 2),
		}, []bool{false, true}, redisSet + "Disabled"},
		{"SQL server access off then on", nil, []model.Event{
			rule(sql, "all", "0.0.0.0-255.255.255.255", 1), access(sql, "Disabled", 2), access(sql, "Enabled", 3),
		}, []bool{true, false, true}, "az sql server update --subscription s-1 --resource-group rg-db --name sql-1 --enable-public-network false"},
		// An Azure SQL server's IPv6 rules are a list of their own: the
		// server's switch holds for them too.
		{"SQL IPv6 rule open to all, access off then on", nil, []model.Event{
			rule6(sql, "all6", 1), access(sql, "Disabled", 2), access(sql, "Enabled", 3),
		}, []bool{true, false, true}, "az sql server update --subscription s-1 --resource-group rg-db --name sql-1 --enable-public-network false"},
		{"SQL IPv6 rule open to all, access off", nil, []model.Event{
			access(sql, "Enabled", 1), rule6(sql, "all6", 2), access(sql, "Disabled", 3),
		}, []bool{false, true, false}, "az sql server update --subscription s-1 --resource-group rg-db --name sql-1 --enable-public-network true"},
		{"SQL IPv6 rule written while access is off opens nothing until on", nil, []model.Event{
			access(sql, "Disabled", 1), rule6(sql, "all6", 2), access(sql, "Enabled", 3),
		}, []bool{false, false, true}, "az sql server update --subscription s-1 --resource-group rg-db --name sql-1 --enable-public-network false"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			if tt.baseline != nil {
				e.Load([]model.Firewall{{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: cache, Name: "cache-1"}, Rules: tt.baseline}})
			}
			var ch Change
			isOpen := func() bool {
				open := false
				for _, w := range e.Windows() {
					open = open || w.End == nil
				}
				return open
			}
			for i := range tt.calls {
				ch = e.Apply(&tt.calls[i], "")
				if open := isOpen(); open != tt.open[i] {
					t.Errorf("call %d (%s %v): a window open %v, want %v", i, tt.calls[i].OperationKey, tt.calls[i].Settings, open, tt.open[i])
				}
			}
			if len(ch.Rollback) == 0 || ch.Rollback[len(ch.Rollback)-1] != tt.undo {
				t.Errorf("undo %q\nwant last %q", ch.Rollback, tt.undo)
			}
			// The undo, read back as the call it makes, gives back what
			// was open before the last call.
			last := tt.calls[len(tt.calls)-1]
			var v string
			switch u := tt.undo; {
			case strings.HasSuffix(u, "publicNetworkAccess=Disabled"), strings.HasSuffix(u, "--enable-public-network false"):
				v = "Disabled"
			case strings.HasSuffix(u, "publicNetworkAccess=Enabled"), strings.HasSuffix(u, "--enable-public-network true"):
				v = "Enabled"
			}
			if v != "" && len(tt.calls) > 1 {
				undo := access(last.Resource.ID, v, len(tt.calls)+1)
				e.Apply(&undo, "")
				if open := isOpen(); open != tt.open[len(tt.calls)-2] {
					t.Errorf("after the undo %q: a window open %v, want %v as before the last call", tt.undo, open, tt.open[len(tt.calls)-2])
				}
			}
		})
	}
}

// TestRESTUndoAPIVersion: an undo through az rest (an Azure SQL server's
// IPv6 rules) names an api-version the resource type accepts: the one the
// call was made with when it is one of those, else the documented
// default; a PUT carries a JSON body of the rule, a DELETE none.
func TestRESTUndoAPIVersion(t *testing.T) {
	const server = "/subscriptions/s-1/resourceGroups/rg-db/providers/Microsoft.Sql/servers/sql-app"
	for _, tt := range []struct {
		name, version, want string
	}{
		{"the call's version", "2023-08-01", "2023-08-01"},
		{"a preview the type accepts", "2022-11-01-preview", "2022-11-01-preview"},
		{"a version before IPv6 rules existed", "2014-04-01", "2021-11-01"},
		{"not logged", "", "2021-11-01"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			e.Load([]model.Firewall{{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: server + "/ipv6FirewallRules", Name: "ipv6FirewallRules"},
				Rules: []model.Rule{mrule(sqlRule("", "office", "2001:db8::-2001:db8::ffff"))}}})
			res := func(name string) model.Resource {
				return model.Resource{Type: "sql_firewall_rule", ID: server + "/ipv6FirewallRules/" + name, Name: name}
			}
			add := event(model.Azure, "microsoft.sql/servers/ipv6firewallrules/write", at(1, 0), res("all"), sqlRule(model.Added, "all", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
			add.APIVersion = tt.version
			del := event(model.Azure, "microsoft.sql/servers/ipv6firewallrules/delete", at(2, 0), res("office"), sqlRule(model.Removed, "office", ""))
			del.APIVersion = tt.version
			undoAdd, undoDel := e.Apply(&add, "").Rollback, e.Apply(&del, "").Rollback
			for _, c := range append(undoAdd, undoDel...) {
				if !strings.Contains(c, "--uri-parameters api-version="+tt.want+" ") && !strings.HasSuffix(c, "api-version="+tt.want) {
					t.Errorf("%s\nwant api-version=%s", c, tt.want)
				}
			}
			if len(undoAdd) != 1 || !strings.HasPrefix(undoAdd[0], "az rest --method delete ") || strings.Contains(undoAdd[0], "--body") {
				t.Errorf("undo of the write: %q, want one DELETE without a body", undoAdd)
			}
			if len(undoDel) != 1 || !strings.HasPrefix(undoDel[0], "az rest --method put ") {
				t.Fatalf("undo of the delete: %q, want one PUT", undoDel)
			}
			_, body, _ := strings.Cut(undoDel[0], " --body '")
			var put struct {
				Properties struct{ StartIPv6Address, EndIPv6Address string }
			}
			if err := json.Unmarshal([]byte(strings.TrimSuffix(body, "'")), &put); err != nil || put.Properties.StartIPv6Address != "2001:db8::" ||
				put.Properties.EndIPv6Address != "2001:db8::ffff" {
				t.Errorf("PUT body %q: %v %+v", body, err, put)
			}
		})
	}
}

// TestBaselinePublicAccess: a baseline server whose public network access
// is off holds rules that are not in force (no window until a call turns
// access on), and the calls replayed do not write into the caller's
// snapshot (its settings stay as read: a second replay of the same
// baseline starts from them).
func TestBaselinePublicAccess(t *testing.T) {
	settings := map[string]string{model.SettingPublicAccess: "disabled"}
	base := []model.Firewall{{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: sqlServerID, Name: "sql-app"},
		Settings: settings, Rules: []model.Rule{mrule(sqlRule("", "all", "0.0.0.0-255.255.255.255"))}}}
	on := event(model.Azure, "microsoft.sql/servers/write", at(1, 0), model.Resource{Type: "sql_server", ID: sqlServerID, Name: "sql-app"})
	on.Settings = map[string]string{model.SettingPublicAccess: "enabled"}
	for run := range 2 {
		e := newEngine(t)
		e.Load(base)
		if ws := e.Windows(); len(ws) != 0 {
			t.Errorf("run %d: public access off, yet %d windows from the baseline", run, len(ws))
		}
		if ch := e.Apply(&on, ""); len(ch.Opened) != 1 {
			t.Errorf("run %d: turning public access on opened %d windows, want the rule's", run, len(ch.Opened))
		}
		if settings[model.SettingPublicAccess] != "disabled" {
			t.Fatalf("run %d: the caller's snapshot was changed: %v", run, settings)
		}
	}
}

// TestRedisZeroRule: Azure Cache for Redis gives a rule from 0.0.0.0 to
// 0.0.0.0 no "allow Azure services" meaning (Azure SQL's; the Redis
// firewall documents only address ranges), and 0.0.0.0 is never a
// packet's source: such a rule (AllowAllWindowsAzureIps, written by
// habit) admits no client. It is not world-open, and as the cache's one
// rule it turns the cache's firewall on: the every-address window of a
// cache without rules closes, and Azure addresses are not admitted. Its
// undo (delete, after the last-rule warning) opens that window again.
// The parser reads it as 0.0.0.0/32; a range reads the same.
func TestRedisZeroRule(t *testing.T) {
	const cache = "/subscriptions/s-1/resourceGroups/rg-db/providers/Microsoft.Cache/Redis/cache-1"
	res := model.Resource{Type: "sql_server", ID: cache, Name: "cache-1"}
	for _, peer := range []model.Peer{cidr("0.0.0.0/32"), {Kind: model.PeerRange, Value: "0.0.0.0-0.0.0.0"}} {
		t.Run(peer.Value, func(t *testing.T) {
			e := newEngine(t)
			e.Load([]model.Firewall{{Cloud: model.Azure, Resource: res, Rules: []model.Rule{}}})
			open := func() int {
				n := 0
				for _, w := range e.Windows() {
					if w.End == nil {
						n++
					}
				}
				return n
			}
			if open() != 1 {
				t.Fatalf("a known cache without rules: %d windows open, want its every-address one", open())
			}
			c := sqlRule(model.Added, "AllowAllWindowsAzureIps", "")
			c.Ports, c.Peers = ports(6379, 6380), []model.Peer{peer}
			rid := model.Resource{Type: "sql_firewall_rule", ID: cache + "/firewallRules/AllowAllWindowsAzureIps", Name: "AllowAllWindowsAzureIps"}
			ch := e.Apply(new(event(model.Azure, "microsoft.cache/redis/firewallrules/write", at(1, 0), rid, c)), "")
			if len(ch.Opened) != 0 || len(ch.Closed) != 1 || open() != 0 {
				t.Errorf("the rule opened %d windows, closed %d, %d open: want 0, the every-address one, 0", len(ch.Opened), len(ch.Closed), open())
			}
			for _, from := range []Query{from("20.40.0.1", "tcp", 6380), from("203.0.113.9", "tcp", 6380)} {
				if d, _ := e.Decide(model.Azure, res, from, at(2, 0)); d.Allowed {
					t.Errorf("%s admitted by %s", from.Peer, d.By)
				}
			}
			want := "az redis firewall-rules delete --subscription s-1 --resource-group rg-db --name cache-1 --rule-name AllowAllWindowsAzureIps"
			if len(ch.Rollback) != 2 || !strings.HasPrefix(ch.Rollback[0], "# Azure Cache for Redis admits every address") || ch.Rollback[1] != want {
				t.Fatalf("undo %q, want the warning and %q", ch.Rollback, want)
			}
			del := event(model.Azure, "microsoft.cache/redis/firewallrules/delete", at(3, 0), rid, sqlRule(model.Removed, "AllowAllWindowsAzureIps", ""))
			e.Apply(&del, "")
			if open() != 1 {
				t.Errorf("after the undo: %d windows open, want the every-address one again", open())
			}
		})
	}
}
