package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/ingest"
)

// readWith reads docs (name → bytes) with documents from lazyAt bytes read
// in parts.
func readWith(t testing.TB, lazyAt int, max int, docs map[string][]byte) *Set {
	t.Helper()
	defer func(old int) { lazyFrom = old }(lazyFrom)
	lazyFrom = lazyAt
	var inputs []ingest.Input
	for _, n := range sortedKeys(docs) {
		inputs = append(inputs, ingest.ReaderInput(n, bytes.NewReader(docs[n])))
	}
	// Read whole: no list streamed, no list left undecoded.
	set, err := Read(context.Background(), inputs, Options{MaxRecord: max, Whole: lazyAt == math.MaxInt})
	if err != nil {
		t.Fatal(err)
	}
	set.Summary.Elapsed = 0
	return set
}

func sortedKeys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func setJSON(t testing.TB, s *Set) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A document read in parts is read as the same document decoded whole:
// every real sample, the bundled snapshots, hostile shapes of the lists
// read in parts, and a generated account of every kind the parts reader
// streams.
func TestPartsReadAsWhole(t *testing.T) {
	docs := map[string][]byte{}
	for _, n := range realSamples(t) {
		docs[n] = sample(t, filepath.Join("testdata", "real", n))
	}
	for _, n := range []string{"aws/describe-security-groups.json", "aws/describe-network-acls.json", "aws/describe-network-interfaces.json",
		"aws/describe-security-groups-prefix-list.json", "terraform/tfplan.json"} {
		docs["bundled/"+n] = sample(t, filepath.Join("..", "..", "testdata", "snapshots", n))
	}
	hostile := []string{
		`{"SecurityGroups":[]}`,
		`{"SecurityGroups":[null,7,"x",[],{}]}`,
		`{"SecurityGroups":[{"GroupId":"sg-1"}],"securitygroups":[{"GroupId":"sg-2"}]}`,
		`{"SecurityGroups":"[{\"GroupId\":\"sg-3\"}]"}`,
		`{"SecurityGroups":{"GroupId":"sg-4"}}`,
		`{"NetworkAcls":[{"NetworkAclId":"acl-1","Entries":[{"RuleNumber":1,"Protocol":"-1","RuleAction":"deny","CidrBlock":"0.0.0.0/0"}]}]}`,
		`{"configurationItems":[{"resourceType":"AWS::EC2::VPC","configuration":{},"configurationItemStatus":"OK"}]}`,
		`{"configurationItems":[{"resourceType":"AWS::EC2::VPC","configuration":{},"configurationItemStatus":"OK"},{"resourceType":"AWS::S3::Bucket","configuration":{},"configurationItemStatus":"OK"}]}`,
		`{"format_version":"1.0","values":{"root_module":{"resources":[{"type":"aws_security_group","values":{"id":"sg-9"}}],"child_modules":[{"resources":[{"type":"aws_security_group","values":{"id":"sg-8"}}]},7]}}}`,
		`{"format_version":"1.0","values":{"root_module":{"resources":{"type":"aws_security_group","values":{"id":"sg-7"}}}}}`,
		`{"format_version":"1.0","values":{"root_module":[]}}`,
		`{"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]}]}]`,
		`{"SecurityGroups":[{"GroupId":"sg-\u00e9\ud800"}]} `,
	}
	for i, h := range hostile {
		docs[fmt.Sprintf("hostile/%02d.json", i)] = []byte(h)
	}
	for _, k := range []string{"sg", "rules", "acls", "enis", "config", "tfstate"} {
		docs["generated/"+k+".json"] = generatedAccount(k, 300)
	}
	for _, n := range sortedKeys(docs) {
		one := map[string][]byte{n: docs[n]}
		whole := setJSON(t, readWith(t, math.MaxInt, 0, one))
		parts := setJSON(t, readWith(t, 0, 0, one))
		if whole != parts {
			t.Errorf("%s: read in parts differs from read whole:\nwhole %.600s\nparts %.600s", n, whole, parts)
		}
	}
}

// Streamed, a document's lists are read element by element, so a
// document read whole as one thing is read for all it holds: both lists
// of a key given twice (decoded whole, the last wins) or of two keys (the
// reader takes one), the groups before a cut (whole, the document is
// unreadable), the groups of a list with a trailing comma (tolerated as in
// a CloudTrail file's Records). Each is still one record.
func TestStreamedListsReadAll(t *testing.T) {
	tests := []struct {
		doc     string
		want    []string
		records int
	}{
		{`{"SecurityGroups":[{"GroupId":"sg-1"}],"SecurityGroups":[{"GroupId":"sg-2"}]}`, []string{"sg-1", "sg-2"}, 1},
		{`{"SecurityGroups":[{"GroupId":"sg-5"}],"NetworkAcls":[{"NetworkAclId":"acl-1"}]}`, []string{"acl-1", "sg-5"}, 1},
		{`{"SecurityGroups":[{"GroupId":"sg-1"}]`, []string{"sg-1"}, 2}, // and the cut, unreadable
		{`{"SecurityGroups":[{"GroupId":"sg-1"},]}`, []string{"sg-1"}, 1},
	}
	for _, tt := range tests {
		set := readWith(t, 0, 0, map[string][]byte{"doc.json": []byte(tt.doc)})
		var got []string
		for _, fw := range set.Firewalls {
			got = append(got, fw.Resource.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) || set.Summary.Records != int64(tt.records) {
			t.Errorf("%s: read %v in %d records, want %v in %d", tt.doc, got, set.Summary.Records, tt.want, tt.records)
		}
	}
}

// A whole account's describe-security-groups is read without decoding it
// whole: the heap the read holds at its worst stays within a few times
// the document's bytes (the splitter's copy of the document, the groups
// read, one group decoded), where decoding the document at once took
// more than ten times them.
func TestPartsBoundMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a generated 12 MB snapshot")
	}
	doc := generatedAccount("sg", 4000)
	// Collect often, so that the live heap is measured all along.
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	docs := map[string][]byte{"sg.json": doc}
	live := func() uint64 {
		runtime.GC()
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	// peak returns the most the heap held beyond the set read.
	peak := func(lazyAt int) uint64 {
		base := live()
		done := make(chan struct{})
		res := make(chan uint64)
		go func() {
			s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			var top uint64
			for {
				metrics.Read(s)
				top = max(top, s[0].Value.Uint64())
				select {
				case <-done:
					res <- top
					return
				case <-time.After(200 * time.Microsecond):
				}
			}
		}()
		set := readWith(t, lazyAt, 0, docs)
		close(done)
		top := <-res
		held := live() - base
		if len(set.Firewalls) != 4000 {
			t.Fatalf("read %d groups, want 4000", len(set.Firewalls))
		}
		return top - base - min(held, top-base)
	}
	parts, whole := peak(0), peak(math.MaxInt)
	t.Logf("document %d MiB: peak heap beyond the groups read: in parts %d MiB, whole %d MiB", len(doc)>>20, parts>>20, whole>>20)
	if limit := uint64(5 * len(doc) / 2); parts > limit {
		t.Errorf("peak heap beyond the groups read %d MiB reading a %d MiB document in parts, want at most %d MiB", parts>>20, len(doc)>>20, limit>>20)
	}
}

// generatedAccount writes n resources of one kind in the shape of the
// tool that prints them (hand-built in the documented shapes of
// ../../../shared/design/state-formats.md: describe-security-groups,
// describe-security-group-rules, describe-network-acls,
// describe-network-interfaces, an AWS Config S3 snapshot, terraform show
// -json of a state), pretty-printed as the AWS CLI prints.
func generatedAccount(kind string, n int) []byte {
	var sb strings.Builder
	item := func(i int) any {
		sg := fmt.Sprintf("sg-%017x", 0xabc0000+i)
		vpc := fmt.Sprintf("vpc-%08x", i%300)
		port := []int{22, 80, 443, 3389, 5432, 8080}[i%6]
		cidr := []string{"0.0.0.0/0", fmt.Sprintf("10.%d.%d.0/24", i%200, i%97), fmt.Sprintf("198.51.%d.0/24", i%100)}[i%3]
		perm := map[string]any{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
			"IpRanges":         []any{map[string]any{"CidrIp": cidr, "Description": "office"}},
			"Ipv6Ranges":       []any{},
			"PrefixListIds":    []any{map[string]any{"PrefixListId": fmt.Sprintf("pl-%08x", i%40)}},
			"UserIdGroupPairs": []any{map[string]any{"GroupId": fmt.Sprintf("sg-%017x", 0xabc0000+(i*7)%n), "UserId": "123456789012"}}}
		egress := map[string]any{"IpProtocol": "-1", "IpRanges": []any{map[string]any{"CidrIp": "0.0.0.0/0"}}, "Ipv6Ranges": []any{}, "PrefixListIds": []any{}, "UserIdGroupPairs": []any{}}
		name := fmt.Sprintf("app-%d-temp", i)
		if i%50 == 0 {
			name = "default"
		}
		group := map[string]any{"Description": "team " + fmt.Sprint(i%40), "GroupName": name, "GroupId": sg, "OwnerId": "123456789012", "VpcId": vpc,
			"IpPermissions": []any{perm}, "IpPermissionsEgress": []any{egress}, "Tags": []any{map[string]any{"Key": "env", "Value": "prod"}}}
		switch kind {
		case "rules":
			return map[string]any{"SecurityGroupRuleId": fmt.Sprintf("sgr-%017x", i), "GroupId": sg, "GroupOwnerId": "123456789012", "IsEgress": false,
				"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIpv4": cidr, "Tags": []any{}}
		case "acls":
			return map[string]any{"NetworkAclId": fmt.Sprintf("acl-%017x", i), "VpcId": vpc, "IsDefault": false, "OwnerId": "123456789012",
				"Associations": []any{map[string]any{"SubnetId": fmt.Sprintf("subnet-%08x", i)}},
				"Entries": []any{
					map[string]any{"RuleNumber": 90, "Egress": false, "RuleAction": "deny", "Protocol": "6", "CidrBlock": cidr, "PortRange": map[string]any{"From": port, "To": port}},
					map[string]any{"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
					map[string]any{"RuleNumber": 32767, "Egress": false, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}}}
		case "enis":
			return map[string]any{"NetworkInterfaceId": fmt.Sprintf("eni-%017x", i), "VpcId": vpc, "SubnetId": fmt.Sprintf("subnet-%08x", i%50), "OwnerId": "123456789012",
				"Groups": []any{map[string]any{"GroupId": sg, "GroupName": name}}, "PrivateIpAddress": fmt.Sprintf("10.0.%d.%d", i/250%250, i%250+1),
				"Association": map[string]any{"PublicIp": fmt.Sprintf("203.0.113.%d", i%250+1)}, "Attachment": map[string]any{"InstanceId": fmt.Sprintf("i-%017x", i), "InstanceOwnerId": "123456789012"}}
		case "config":
			conf, _ := json.Marshal(camelKeys(group))
			return map[string]any{"version": "1.3", "accountId": "123456789012", "configurationItemCaptureTime": "2026-11-30T10:00:00.000Z",
				"configurationItemStatus": "OK", "resourceType": []string{"AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroup", "AWS::EC2::VPC"}[i%3],
				"resourceId": sg, "awsRegion": "us-east-1", "configuration": string(conf)}
		case "tfstate":
			return map[string]any{"address": fmt.Sprintf("aws_security_group.sg%d", i), "mode": "managed", "type": "aws_security_group", "name": fmt.Sprintf("sg%d", i),
				"values": map[string]any{"id": sg, "name": name, "vpc_id": vpc, "owner_id": "123456789012",
					"ingress": []any{map[string]any{"from_port": port, "to_port": port, "protocol": "tcp", "cidr_blocks": []any{cidr}, "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false, "description": ""}}}}
		}
		return group
	}
	open := map[string][2]string{
		"sg": {`{"SecurityGroups": [`, `]}`}, "rules": {`{"SecurityGroupRules": [`, `]}`},
		"acls": {`{"NetworkAcls": [`, `]}`}, "enis": {`{"NetworkInterfaces": [`, `]}`},
		"config":  {`{"fileVersion": "1.0", "configSnapshotId": "x", "configurationItems": [`, `]}`},
		"tfstate": {`{"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {"resources": [`, `], "child_modules": [{"resources": []}]}}}`},
	}[kind][0]
	close := map[string]string{"sg": `]}`, "rules": `]}`, "acls": `]}`, "enis": `]}`, "config": `]}`,
		"tfstate": `], "child_modules": [{"resources": []}]}}}`}[kind]
	sb.WriteString(open + "\n")
	for i := range n {
		if i > 0 {
			sb.WriteString(",\n")
		}
		b, _ := json.MarshalIndent(item(i), "        ", "    ")
		sb.WriteString("        ")
		sb.Write(b)
	}
	sb.WriteString("\n" + close + "\n")
	return []byte(sb.String())
}

// camelKeys spells an API response's keys as AWS Config writes them.
func camelKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		o := map[string]any{}
		for k, x := range t {
			o[strings.ToLower(k[:1])+k[1:]] = camelKeys(x)
		}
		return o
	case []any:
		o := make([]any, len(t))
		for i, x := range t {
			o[i] = camelKeys(x)
		}
		return o
	}
	return v
}

// A snapshot larger than --max-record-size is read when each of its
// groups, NACLs, interfaces or Config items is within it: the limit
// bounds what is held at once, and a document of lists is never held
// whole (it refused a describe-security-groups over 64 MiB, or over the
// flag's 1 GiB at most, and held the document to read it).
func TestStreamedListsPastMaxRecord(t *testing.T) {
	for _, k := range []string{"sg", "acls", "enis", "config"} {
		doc := generatedAccount(k, 300)
		one := map[string][]byte{k + ".json": doc}
		whole := setJSON(t, readWith(t, math.MaxInt, 0, one))
		streamed := readWith(t, 0, len(doc)/10, one)
		if got := setJSON(t, streamed); got != whole {
			t.Errorf("%s (%d bytes, limit %d) read streamed:\n%.600s\nwant, as read whole without the limit:\n%.600s", k, len(doc), len(doc)/10, got, whole)
		}
		if len(streamed.Firewalls) < 200 && k != "enis" {
			t.Errorf("%s: %d firewalls read", k, len(streamed.Firewalls))
		}
	}
}
