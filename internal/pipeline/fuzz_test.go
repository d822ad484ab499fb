package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/ingest"
)

// FuzzScan runs whole scans (parse, fold, detect, state replay with a
// timeline, correlations) over one input: whatever the bytes, the scan
// ends without panicking or failing, and every finding, window and
// timeline entry it reports marshals. The parsers have fuzz targets of
// their own; this one reaches the stages after them with events an
// attacker shaped (an NSG name whose lower case is longer than itself
// once cut a rule id past its end there).
func FuzzScan(f *testing.F) {
	for _, g := range []string{"../../testdata/samples/*/*", "../normalize/*/testdata/*.json", "../normalize/testdata/*"} {
		m, _ := filepath.Glob(g)
		for _, p := range m {
			if b, err := os.ReadFile(p); err == nil && len(b) < 32<<10 {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"records":[{"time":"2026-03-14T10:14:20Z","resourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/ȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺ/securityRules/x","operationName":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE","resultType":"Success","properties":{"requestbody":"{\"properties\":{\"access\":\"Allow\",\"direction\":\"Inbound\",\"protocol\":\"Tcp\",\"sourceAddressPrefix\":\"*\",\"destinationPortRange\":\"22\",\"priority\":100}}"}}]}`))
	// Elements of a Records file that are no record, before an attack.
	deep := strings.Repeat("[", 600) + strings.Repeat("]", 600)
	f.Add([]byte(`{"Records":[null,1,"x",[],` + deep + `,{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2026-03-01T00:00:00Z","eventID":"e1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}]}`))
	c, err := content.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := ingest.ReaderInput("fuzz", bytes.NewReader(b))
		res, err := Scan(context.Background(), []ingest.Input{in}, Options{
			Workers: 1, Content: c, State: &StateOptions{Timeline: true},
		})
		if err != nil {
			t.Fatalf("scan failed: %v", err)
		}
		if _, err := json.Marshal(res.Findings); err != nil {
			t.Fatalf("findings do not marshal: %v", err)
		}
		if _, err := json.Marshal(res.Windows); err != nil {
			t.Fatalf("windows do not marshal: %v", err)
		}
		if _, err := json.Marshal(res.Timeline); err != nil {
			t.Fatalf("timeline does not marshal: %v", err)
		}
	})
}
