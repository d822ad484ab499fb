package export

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"cloudwall/internal/content"
)

func generate(t *testing.T, targetName string) []File {
	t.Helper()
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(c, targetName, "")
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestKQLParses runs every query through Microsoft's Kusto language
// service with the three Sentinel tables' schemas, so a syntax error, an
// unknown column or a type error fails.
func TestKQLParses(t *testing.T) {
	checkParsed(t, "kql", ".kql", "kql",
		"AWSCloudTrail | where NoSuchColumn == 1",
		"AzureActivity | where OperationNameValue in~ ('x') | project Nope",
		"GCPAuditLogs | wher MethodName == 'x'")
}

// TestSentinelRules checks each analytics rule: the fields Sentinel
// requires, valid enumerations, and the query equal to the .kql file.
func TestSentinelRules(t *testing.T) {
	files := generate(t, "kql")
	queries := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f.Name, ".kql") {
			queries[strings.TrimSuffix(f.Name, ".kql")] = string(f.Data)
		}
	}
	n := 0
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".yaml") {
			continue
		}
		n++
		var r struct {
			ID                     string `yaml:"id"`
			Name                   string `yaml:"name"`
			Description            string `yaml:"description"`
			Severity               string `yaml:"severity"`
			RequiredDataConnectors []struct {
				ConnectorID string   `yaml:"connectorId"`
				DataTypes   []string `yaml:"dataTypes"`
			} `yaml:"requiredDataConnectors"`
			QueryFrequency     string   `yaml:"queryFrequency"`
			QueryPeriod        string   `yaml:"queryPeriod"`
			TriggerOperator    string   `yaml:"triggerOperator"`
			TriggerThreshold   int      `yaml:"triggerThreshold"`
			Tactics            []string `yaml:"tactics"`
			RelevantTechniques []string `yaml:"relevantTechniques"`
			Query              string   `yaml:"query"`
			AlertDetails       struct {
				SeverityColumn string `yaml:"alertSeverityColumnName"`
			} `yaml:"alertDetailsOverride"`
			EntityMappings []struct {
				EntityType    string `yaml:"entityType"`
				FieldMappings []struct {
					Identifier string `yaml:"identifier"`
					ColumnName string `yaml:"columnName"`
				} `yaml:"fieldMappings"`
			} `yaml:"entityMappings"`
			Version string `yaml:"version"`
			Kind    string `yaml:"kind"`
		}
		dec := yaml.NewDecoder(strings.NewReader(string(f.Data)))
		dec.KnownFields(true)
		if err := dec.Decode(&r); err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		rule := strings.TrimSuffix(f.Name, ".yaml")
		if r.Query != queries[rule] {
			t.Errorf("%s: query differs from %s.kql", f.Name, rule)
		}
		sev := map[string]bool{"Informational": true, "Low": true, "Medium": true, "High": true}
		if !sev[r.Severity] || r.Kind != "Scheduled" || r.TriggerOperator != "gt" || r.QueryFrequency != "1h" || r.QueryPeriod != "1h" || r.Version == "" || len(r.ID) != 36 || r.Name == "" || r.Description == "" {
			t.Errorf("%s: %+v", f.Name, r)
		}
		if len(r.Tactics) != 1 || r.Tactics[0] != "DefenseEvasion" || len(r.RelevantTechniques) != 1 || r.RelevantTechniques[0] != "T1562.007" {
			t.Errorf("%s: tactics %v techniques %v", f.Name, r.Tactics, r.RelevantTechniques)
		}
		if len(r.RequiredDataConnectors) != 1 || len(r.RequiredDataConnectors[0].DataTypes) != 1 || !strings.Contains(queries[rule], "\n"+r.RequiredDataConnectors[0].DataTypes[0]+"\n") {
			t.Errorf("%s: data connectors %+v do not name the query's table", f.Name, r.RequiredDataConnectors)
		}
		if r.AlertDetails.SeverityColumn != "AlertSeverity" || !strings.Contains(r.Query, "AlertSeverity") {
			t.Errorf("%s: alert severity column %q", f.Name, r.AlertDetails.SeverityColumn)
		}
		for _, m := range r.EntityMappings {
			for _, fm := range m.FieldMappings {
				if !strings.Contains(r.Query, fm.ColumnName) {
					t.Errorf("%s: entity %s maps column %s, which the query does not project", f.Name, m.EntityType, fm.ColumnName)
				}
			}
		}
	}
	if n < len(queries) {
		t.Errorf("%d analytics rules for %d queries", n, len(queries))
	}
}

// TestAthenaParses runs every Athena query through node-sql-parser's
// Athena (Trino) grammar.
func TestAthenaParses(t *testing.T) {
	checkParsed(t, "athena", ".sql", "athena",
		"SELECT eventname FROM cloudtrail_logs WHERE",
		"SELECT eventname FROM cloudtrail_logs WHERE regexp_like(lower(requestparameters), 'x'")
}

// TestBigQueryParses runs every BigQuery query through node-sql-parser's
// BigQuery grammar.
func TestBigQueryParses(t *testing.T) {
	checkParsed(t, "bigquery", ".sql", "bigquery",
		"SELECT timestamp FROM `p.d.t` WHERE REGEXP_CONTAINS(",
		"SELECT timestamp FROM `p.d.t` WHERE REGEXP_CONTAINS(x, r'a') AND")
}
