package snapshot

import (
	"context"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
)

// readOne reads one input given as text.
func readOne(t *testing.T, name, text string) *Set {
	t.Helper()
	set, err := Read(context.Background(), []ingest.Input{ingest.ReaderInput(name, strings.NewReader(text))}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// configSG is a Config item of a security group with one ingress
// permission, in the notification form (configuration an object).
func configSG(perm string) string {
	return `{"configurationItemCaptureTime":"2020-07-11T23:57:46.383Z","configurationItemStatus":"OK","accountId":"777719877733",
"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","awsRegion":"us-west-2",
"configuration":{"groupId":"sg-1","groupName":"web","ipPermissions":[` + perm + `],"ipPermissionsEgress":[]}}`
}

// An AWS Config security group permission names its IPv4 peers in
// ipv4Ranges [{cidrIp}], in the legacy ipRanges strings, or (as Config
// writes them) both: every form gives the same rules, a CIDR in both is
// one peer, and the other peer lists are read beside them.
func TestConfigItemPeerForms(t *testing.T) {
	const tcp = `"ipProtocol":"tcp","fromPort":3389,"toPort":3389`
	tests := []struct {
		name, perm string
		want       []string
	}{
		{"both forms, as Config writes them", `{` + tcp + `,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}],"ipRanges":["0.0.0.0/0"],"ipv6Ranges":[],"prefixListIds":[],"userIdGroupPairs":[]}`,
			[]string{"ingress allow tcp 3389 from 0.0.0.0/0"}},
		{"ipv4Ranges only", `{` + tcp + `,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}]}`,
			[]string{"ingress allow tcp 3389 from 0.0.0.0/0"}},
		{"ipRanges strings only", `{` + tcp + `,"ipRanges":["0.0.0.0/0"]}`,
			[]string{"ingress allow tcp 3389 from 0.0.0.0/0"}},
		{"ipRanges objects", `{` + tcp + `,"ipRanges":[{"cidrIp":"0.0.0.0/0"}]}`,
			[]string{"ingress allow tcp 3389 from 0.0.0.0/0"}},
		{"forms disagree: both read", `{` + tcp + `,"ipv4Ranges":[{"cidrIp":"198.51.100.0/24"}],"ipRanges":["198.51.100.0/24","0.0.0.0/0"]}`,
			[]string{"ingress allow tcp 3389 from 198.51.100.0/24", "ingress allow tcp 3389 from 0.0.0.0/0"}},
		{"every peer list", `{` + tcp + `,"ipv4Ranges":[{"cidrIp":"10.0.0.0/8"}],"ipRanges":["10.0.0.0/8"],"ipv6Ranges":[{"cidrIpv6":"::/0"}],"prefixListIds":[{"prefixListId":"pl-1"}],"userIdGroupPairs":[{"groupId":"sg-2","userId":"777719877733"}]}`,
			[]string{"ingress allow tcp 3389 from 10.0.0.0/8", "ingress allow tcp 3389 from ::/0", "ingress allow tcp 3389 from prefix-list:pl-1", "ingress allow tcp 3389 from group:sg-2"}},
		{"no peer at all is kept", `{` + tcp + `,"ipv4Ranges":[],"ipRanges":[]}`,
			[]string{"ingress allow tcp 3389 from "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := readOne(t, "ci.json", configSG(tt.perm))
			if len(set.Summary.Problems) > 0 {
				t.Errorf("problems %+v", set.Summary.Problems)
			}
			got := rules(mustFirewall(t, set, "aws|security_group|sg-1"))
			if !slices.Equal(got, tt.want) {
				t.Errorf("rules\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// One configuration item is a snapshot whatever carries it: on its own
// (the configurationItem of a Config rule's invoking event, a history item
// saved alone), in an array, or in the S3 history file's wrapper.
func TestConfigItemShapes(t *testing.T) {
	item := configSG(`{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"]}`)
	tests := []struct{ name, text string }{
		{"bare item", item},
		{"array of items", "[" + item + "]"},
		{"history file", `{"fileVersion":"1.0","configurationItems":[` + item + `]}`},
		{"rule invoking event", `{"configurationItem":` + item + `,"messageType":"ConfigurationItemChangeNotification"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := readOne(t, "ci.json", tt.text)
			if len(set.Summary.Problems) > 0 || set.Summary.Recognised != 1 {
				t.Errorf("summary %+v", set.Summary)
			}
			fw := mustFirewall(t, set, "aws|security_group|sg-1")
			if got := rules(fw); !slices.Equal(got, []string{"ingress allow tcp 22 from 0.0.0.0/0"}) || fw.AsOf.IsZero() || fw.Region != "us-west-2" {
				t.Errorf("rules %q as of %v region %q", got, fw.AsOf, fw.Region)
			}
		})
	}
}

// Configuration items that hold no firewall are named, whether the file
// holds nothing else or firewalls beside them.
func TestConfigItemsNotRead(t *testing.T) {
	sg := configSG(`{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"]}`)
	instance := `{"configurationItemCaptureTime":"2020-07-11T23:57:46.383Z","configurationItemStatus":"OK","resourceType":"AWS::EC2::Instance","resourceId":"i-1","configuration":{}}`
	deleted := `{"configurationItemCaptureTime":"2020-07-11T23:57:46.383Z","configurationItemStatus":"ResourceDeleted","resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-2","configuration":null}`
	tests := []struct {
		name, text string
		read       int
		problem    string
	}{
		{"an instance alone", instance, 0, "ci.json record 1: skipped, holds no firewall rules cloudwall reads: AWS Config item of type AWS::EC2::Instance"},
		{"a history file with a group, an instance and a deleted group", `{"fileVersion":"1.0","configurationItems":[` + sg + `,` + instance + `,` + deleted + `]}`, 1,
			"ci.json record 1: 2 skipped, holding no firewall rules cloudwall reads (the first here): AWS Config item of type AWS::EC2::Instance ×1; AWS Config item AWS::EC2::SecurityGroup ResourceDeleted ×1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := readOne(t, "ci.json", tt.text)
			var msgs []string
			for _, p := range set.Summary.Problems {
				msgs = append(msgs, model.RecordPlace(p.File, p.Index)+": "+p.Message)
			}
			if len(set.Firewalls) != tt.read || !slices.Equal(msgs, []string{tt.problem}) {
				t.Errorf("%d firewalls, problems %q; want %d, %q", len(set.Firewalls), msgs, tt.read, tt.problem)
			}
		})
	}
}
