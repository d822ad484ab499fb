package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNetworkClassFormats: each provider's download is read by content,
// services and regions select its entries, and an address is in the class
// exactly when a selected prefix holds it.
func TestNetworkClassFormats(t *testing.T) {
	dir, err := filepath.Abs("testdata/netclass")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file, filter string
		format             string
		in, out            []string
	}{
		{"aws all", "aws-ip-ranges.json", "", FormatAWS,
			[]string{"203.0.113.5", "198.51.100.130", "198.51.100.200", "2001:db8:10ff::1", "2001:db8:2fff::1"}, []string{"203.0.113.200", "198.51.100.1", "2001:db8:3000::1"}},
		{"aws EC2 in us-east-1", "aws-ip-ranges.json", "services: [EC2]\n    regions: [us-east-1]", FormatAWS,
			[]string{"203.0.113.5", "2001:db8:1000::1"}, []string{"198.51.100.130", "198.51.100.200", "2001:db8:2000::1"}},
		{"gcp cloud.json", "gcp-cloud.json", "", FormatGCP,
			[]string{"203.0.113.65", "198.51.100.63", "2001:db8:3000::9"}, []string{"203.0.113.1", "198.51.100.64"}},
		{"gcp one scope", "gcp-cloud.json", "regions: [europe-*]", FormatGCP,
			[]string{"203.0.113.65", "2001:db8:3000::9"}, []string{"198.51.100.63"}},
		{"goog.json", "goog.json", "", FormatGCP,
			[]string{"192.0.2.1", "2001:db8:4000::1"}, []string{"192.0.2.64"}},
		{"azure all tags", "azure-service-tags.json", "", FormatAzure,
			[]string{"198.51.100.200", "2001:db8:5000::1"}, []string{"203.0.113.1"}},
		{"azure one tag by name", "azure-service-tags.json", "services: [AzureDevOps]", FormatAzure,
			[]string{"198.51.100.17"}, []string{"198.51.100.200", "198.51.100.1"}},
		{"azure one region", "azure-service-tags.json", "regions: [westeurope]", FormatAzure,
			[]string{"198.51.100.1", "198.51.100.17"}, []string{"198.51.100.200"}},
		{"tor bulk exit list", "tor-bulk-exit-list.txt", "", FormatList,
			[]string{"192.0.2.66", "::ffff:192.0.2.67", "2001:db8:6000::1"}, []string{"192.0.2.68", "2001:db8:6000::2"}},
		{"tor exit-addresses", "tor-exit-addresses.txt", "", FormatTorExitAddresses,
			[]string{"192.0.2.66", "192.0.2.67"}, []string{"192.0.2.65"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yaml := "network_classes:\n  - name: cls\n    file: " + filepath.Join(dir, tc.file) + "\n"
			if tc.filter != "" {
				yaml += "    " + tc.filter + "\n"
			}
			c, err := Parse("cloudwall.yaml", []byte(yaml))
			if err != nil {
				t.Fatal(err)
			}
			nc := c.NetworkClasses[0]
			if nc.Format != tc.format {
				t.Errorf("format = %q, want %q", nc.Format, tc.format)
			}
			for _, s := range tc.in {
				if got := c.ClassesOf(netip.MustParseAddr(s)); len(got) != 1 || got[0] != "cls" {
					t.Errorf("%s: classes %v, want [cls]", s, got)
				}
			}
			for _, s := range tc.out {
				if got := c.ClassesOf(netip.MustParseAddr(s)); len(got) != 0 {
					t.Errorf("%s: classes %v, want none", s, got)
				}
			}
		})
	}
}

// TestNetworkClassErrors: a wrong or unreadable file is an error naming
// the file and where in it.
func TestNetworkClassErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, body, filter string
		want               []string
	}{
		{"bad line", "192.0.2.1\nnot-an-address\n", "", []string{"bad line:2:", `"not-an-address" is not a CIDR`}},
		{"bad aws prefix", `{"createDate":"x","prefixes":[{"ip_prefix":"203.0.113.0/33","service":"EC2","region":"us-east-1"}]}`, "", []string{"prefixes[0].ip_prefix", "is not a CIDR"}},
		{"broken json", "{\n\"prefixes\": [\n", "", []string{"broken json:", "not valid JSON"}},
		{"wrong json", `{"items":[1,2]}`, "", []string{"is not AWS ip-ranges.json"}},
		{"filter on a list", "192.0.2.1\n", "    services: [EC2]\n", []string{"services and regions select entries"}},
		{"filter matching nothing", `{"createDate":"x","prefixes":[{"ip_prefix":"203.0.113.0/24","service":"EC2","region":"us-east-1"}]}`, "    regions: [eu-*]\n", []string{"no entries of the services and regions given"}},
		{"empty", "# nothing yet\n", "", []string{"holds no addresses"}},
		{"tor junk", "ExitNode ABC\nExitAddress\nBogus line\n", "", []string{"tor junk:2: network class", "ExitAddress without an address", `"Bogus" is not a line`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(tc.name, tc.body)
			_, err := Parse("cloudwall.yaml", []byte("network_classes:\n  - name: cls\n    file: "+p+"\n"+tc.filter))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// FuzzNetworkFile: any bytes read as a network class file give entries or
// errors, never a panic; every prefix that parses is found by the index.
func FuzzNetworkFile(f *testing.F) {
	files, _ := filepath.Glob("testdata/netclass/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && !strings.HasSuffix(p, ".md") {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"values":[{"name":"x","properties":{"addressPrefixes":["10.0.0.0/8",7]}}]}`))
	f.Add([]byte("ExitNode\nExitAddress 1.2.3.4\n\xef\xbb\xbf10.0.0.0/8 # x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, entries, _ := parseNetworkFile(data)
		var ps []netip.Prefix
		for _, e := range entries {
			if p, err := parsePrefix(e.prefix); err == nil {
				ps = append(ps, p)
			}
		}
		set := newPrefixSet(ps)
		for _, p := range ps {
			if !set.contains(p.Addr()) {
				t.Fatalf("%s not found in its own set", p)
			}
		}
	})
}
