package pipeline

import (
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestPaaSFirewallRules scans the Activity Log fixtures of PaaS firewall
// rules (PostgreSQL and MySQL flexible servers, Azure Cache for Redis,
// Synapse workspaces, Cosmos DB accounts): each world-open rule is at least high, and the
// near misses beside it (a private /24, the Azure-services rule, a call
// that was denied, a delete, a read) are not.
func TestPaaSFirewallRules(t *testing.T) {
	type want struct {
		rule, title string
		sev         model.Severity
		attempt     bool
	}
	for _, tt := range []struct {
		file string
		want []want
	}{
		{"redis_firewall_rules.json", []want{
			{"az-redis-firewall-rule-write", "allow-all opened to the IPv4 internet on 6379-6380/tcp", model.High, false},
			{"az-redis-firewall-rule-write", "vnet-apps opened to private range 10.1.2.0-10.1.2.255", model.Low, false},
			// Redis gives 0.0.0.0-0.0.0.0 no Azure-services meaning.
			{"az-redis-firewall-rule-write", "AllowAllWindowsAzureIps opened to this network 0.0.0.0/32", model.Low, false},
			{"az-redis-firewall-rule-write", "Attempt to open redis cache firewall rule open-all", model.Low, true},
			{"az-redis-firewall-rule-delete", "office rule removed", model.Info, false},
		}},
		{"synapse_firewall_rules.json", []want{
			{"az-synapse-firewall-rule-write", "AllowAll opened to the IPv4 internet on 1433/tcp", model.High, false},
			{"az-synapse-firewall-rule-write", "vnet-apps opened to private range 10.1.2.0-10.1.2.255", model.Low, false},
			{"az-synapse-firewall-rule-write", "AllowAllWindowsAzureIps opened to all Azure services", model.Medium, false},
			{"az-synapse-firewall-rule-write", "Attempt to open synapse workspace firewall rule open-all", model.Low, true},
			{"az-synapse-firewall-rule-delete", "office rule removed", model.Info, false},
		}},
		// Cosmos DB: the IP rule 0.0.0.0 is all Azure datacenters; no IP
		// rule and no network filter is every network. A tags-only write
		// and a read are no firewall events.
		{"cosmosdb_network.json", []want{
			{"az-cosmosdb-network", "cosmos-orders: opened to the IPv4 internet on 443/tcp", model.High, false},
			{"az-cosmosdb-network", "cosmos-catalog: IP firewall emptied: accepts every network", model.High, false},
			{"az-cosmosdb-network", "cosmos-azure: opened to all Azure services", model.Medium, false},
			{"az-cosmosdb-network", "cosmos-private: opened to private range 10.1.2.0/24", model.Low, false},
			{"az-cosmosdb-network", "Attempt to open Cosmos DB account cosmos-denied", model.Low, true},
			{"az-cosmosdb-network", "cosmos-private-only: public network access disabled", model.Info, false},
			{"az-cosmosdb-network", "ddb1: opened to a wide public range (110.12.240.0/12)", model.Medium, false},
		}},
		{"flexible_firewall_rules.json", []want{
			{"az-postgres-firewall-rule-write", "AllowAll_2026-3-14_13-0-0 opened to the IPv4 internet on 5432/tcp", model.High, false},
			{"az-mysql-firewall-rule-write", "AllowAll_2026-3-14_13-0-5 opened to the IPv4 internet on 3306/tcp", model.High, false},
			{"az-postgres-firewall-rule-write", "vnet-apps opened to private range 10.1.2.0-10.1.2.255", model.Low, false},
			{"az-mysql-firewall-rule-write", "opened to all Azure services on 3306/tcp", model.Medium, false},
			{"az-postgres-firewall-rule-write", "Attempt to open PostgreSQL firewall rule open-all", model.Low, true},
			{"az-mysql-firewall-rule-delete", "office rule removed", model.Info, false},
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			res := scan(t, []string{"../normalize/azure/testdata/" + tt.file}, Options{Filter: Filter{MinSeverity: model.Info}})
			var got []model.Finding
			for _, f := range res.Findings {
				if strings.HasPrefix(f.Rule, "az-") {
					got = append(got, f)
				}
			}
			// The read (firewallRules/read) is no firewall event.
			if len(got) != len(tt.want) {
				for _, f := range got {
					t.Logf("%s %s %s", f.Rule, f.Severity, f.Title)
				}
				t.Fatalf("%d findings, want %d", len(got), len(tt.want))
			}
			for _, w := range tt.want {
				i := slices.IndexFunc(got, func(f model.Finding) bool { return f.Rule == w.rule && strings.Contains(f.Title, w.title) })
				if i < 0 {
					t.Errorf("no %s finding titled ...%s...", w.rule, w.title)
					continue
				}
				f := got[i]
				if f.Severity != w.sev || slices.Contains(f.Tags, "attempt") != w.attempt {
					t.Errorf("%s: severity %s tags %v, want %s (attempt %v)", f.Title, f.Severity, f.Tags, w.sev, w.attempt)
				}
			}
		})
	}
}

// TestRedisPublicAccess: an Azure Cache for Redis write that turns public
// network access off closes what its firewall rules opened (none of them
// is in force), and turning it back on opens it again; the finding of
// each says so and its undo sets the earlier value back. A write of tags
// only is no firewall event. Provenance: REAL_SOURCES.md of
// ../normalize/azure/testdata.
func TestRedisPublicAccess(t *testing.T) {
	res := scan(t, []string{"../normalize/azure/testdata/redis_public_access.json"},
		Options{Filter: Filter{MinSeverity: model.Info}, State: &StateOptions{Timeline: true}})
	if len(res.Timeline) != 1 {
		t.Fatalf("%d firewalls in the timeline, want the cache", len(res.Timeline))
	}
	ft := res.Timeline[0]
	var spans []string
	for _, w := range ft.Windows {
		end := "open"
		if w.End != nil {
			end = w.End.Format("15:04")
		}
		spans = append(spans, w.Start.Format("15:04")+"-"+end)
	}
	if want := []string{"13:00-13:20", "13:40-open"}; !slices.Equal(spans, want) {
		t.Errorf("windows %q, want %q", spans, want)
	}
	rg := " --resource-group rg-data --name cache-sessions --set publicNetworkAccess="
	for _, tt := range []struct {
		title string
		sev   model.Severity
		undo  string
	}{
		// The value before the first call is not in the logs.
		{"public network access disabled", model.Info, "az redis update --subscription 7d2a0c6e-3b1f-4d8e-9a55-2f0c8b1e4a90" + rg + "'<ENABLED_OR_DISABLED>'"},
		{"public network access enabled", model.Medium, "az redis update --subscription 7d2a0c6e-3b1f-4d8e-9a55-2f0c8b1e4a90" + rg + "Disabled"},
	} {
		i := slices.IndexFunc(res.Findings, func(f model.Finding) bool { return strings.Contains(f.Title, tt.title) })
		if i < 0 {
			t.Errorf("no finding titled ...%s... in\n%s", tt.title, findingTitles(res))
			continue
		}
		f := res.Findings[i]
		if f.Severity != tt.sev || !slices.Contains(f.Rollback, tt.undo) {
			t.Errorf("%s %q rollback %q, want %s and %q", f.Severity, f.Title, f.Rollback, tt.sev, tt.undo)
		}
	}
	if n := res.Summary.FirewallEvents; n != 3 {
		t.Errorf("%d firewall events, want 3 (the tags-only write is none)", n)
	}
}

// TestRESTUndoUsesCallVersion: the undo of an Azure SQL IPv6 rule write
// (az rest) names the api-version its request was made with, read from
// the record's httpRequest.uri (REAL_SOURCES.md of the fixture).
func TestRESTUndoUsesCallVersion(t *testing.T) {
	res := scan(t, []string{"../normalize/azure/testdata/sql_ipv6_firewall_rules.json"}, Options{Filter: Filter{MinSeverity: model.Info}})
	n := 0
	for _, f := range res.Findings {
		for _, c := range f.Rollback {
			if strings.HasPrefix(c, "az rest ") {
				n++
				if !strings.Contains(c, " --uri-parameters api-version=2023-08-01") {
					t.Errorf("%s: want the call's api-version=2023-08-01", c)
				}
			}
		}
	}
	if n != 1 {
		t.Errorf("%d az rest undos, want 1 (the write's; the deleted rule's content is not known)", n)
	}
}
