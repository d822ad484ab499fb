package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Formats of a network class file, found by reading it (the name does not
// matter: providers' downloads are often renamed).
const (
	// FormatList is one CIDR or address per line, '#' comments: a list
	// kept by hand, goog.txt, or the Tor bulk exit list
	// (check.torproject.org/torbulkexitlist, one address per line).
	FormatList = "list"
	// FormatTorExitAddresses is Tor's exit-addresses document
	// (check.torproject.org/exit-addresses): "ExitAddress IP DATE" lines
	// between ExitNode, Published and LastStatus lines.
	FormatTorExitAddresses = "tor-exit-addresses"
	// FormatAWS is AWS ip-ranges.json: prefixes[].ip_prefix and
	// ipv6_prefixes[].ipv6_prefix, each with service and region.
	FormatAWS = "aws-ip-ranges"
	// FormatGCP is Google's cloud.json (prefixes[].ipv4Prefix or
	// ipv6Prefix, with service and scope) and goog.json (the prefixes
	// alone).
	FormatGCP = "gcp-ip-ranges"
	// FormatAzure is the Azure Service Tags download (ServiceTags_Public_*.json)
	// and the REST/az network list-service-tags output: values[].name,
	// properties.systemService, properties.region, properties.addressPrefixes.
	FormatAzure = "azure-service-tags"
)

// netEntry is one prefix of a network class file with what the provider
// says about it, and where it was (a line, or a JSON path).
type netEntry struct {
	prefix  string
	service []string // service names the entry may be selected by
	region  string
	line    int    // the line of a text file
	where   string // the JSON path of a provider's entry
}

// netError is a problem of a network class file, at a line or JSON path.
type netError struct {
	line  int
	where string
	msg   string
}

// at says where in file the entry or problem is: "file:12" or
// "file: prefixes[3].ip_prefix".
func at(file string, line int, where string) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	if where != "" {
		return file + ": " + where
	}
	return file
}

// providerFile holds the fields of the three providers' JSON downloads.
type providerFile struct {
	SyncToken    *string          `json:"syncToken"`
	CreateDate   *string          `json:"createDate"`   // AWS
	CreationTime *string          `json:"creationTime"` // Google
	Prefixes     []providerPrefix `json:"prefixes"`
	IPv6Prefixes []struct {
		IPv6Prefix string `json:"ipv6_prefix"`
		Service    string `json:"service"`
		Region     string `json:"region"`
	} `json:"ipv6_prefixes"`
	Values []struct {
		Name       string `json:"name"`
		Properties struct {
			Region          string   `json:"region"`
			SystemService   string   `json:"systemService"`
			AddressPrefixes []string `json:"addressPrefixes"`
		} `json:"properties"`
	} `json:"values"`
}

type providerPrefix struct {
	IPPrefix   string `json:"ip_prefix"`  // AWS
	IPv4Prefix string `json:"ipv4Prefix"` // Google
	IPv6Prefix string `json:"ipv6Prefix"` // Google
	Service    string `json:"service"`
	Region     string `json:"region"` // AWS
	Scope      string `json:"scope"`  // Google
}

// parseNetworkFile reads a network class file in any of the formats and
// returns its entries. Unreadable lines or entries are errors that say
// where they are; the caller reports them with the file name.
func parseNetworkFile(data []byte) (format string, entries []netEntry, errs []netError) {
	body := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(body) > 0 && body[0] == '{' {
		return parseProviderJSON(data)
	}
	return parseNetworkText(data)
}

func parseNetworkText(data []byte) (string, []netEntry, []netError) {
	lines := strings.Split(string(data), "\n")
	format := FormatList
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "ExitNode" || f[0] == "ExitAddress") {
			format = FormatTorExitAddresses
			break
		}
	}
	var out []netEntry
	var errs []netError
	for i, l := range lines {
		l, _, _ = strings.Cut(l, "#")
		l = strings.TrimSpace(strings.TrimPrefix(l, "\xef\xbb\xbf"))
		if l == "" {
			continue
		}
		if format == FormatTorExitAddresses {
			f := strings.Fields(l)
			switch f[0] {
			case "ExitNode", "Published", "LastStatus":
				continue
			case "ExitAddress":
				if len(f) < 2 {
					errs = append(errs, netError{line: i + 1, msg: "ExitAddress without an address"})
					continue
				}
				l = f[1]
			default:
				errs = append(errs, netError{line: i + 1, msg: fmt.Sprintf("%q is not a line of Tor's exit-addresses (ExitNode, Published, LastStatus, ExitAddress)", clip(f[0]))})
				continue
			}
		}
		out = append(out, netEntry{prefix: l, line: i + 1})
	}
	return format, out, errs
}

func parseProviderJSON(data []byte) (string, []netEntry, []netError) {
	var pf providerFile
	if err := json.Unmarshal(data, &pf); err != nil {
		return "", nil, []netError{jsonError(data, err)}
	}
	var out []netEntry
	switch {
	case pf.Values != nil:
		for i, v := range pf.Values {
			for j, p := range v.Properties.AddressPrefixes {
				out = append(out, netEntry{prefix: p, service: []string{v.Name, v.Properties.SystemService},
					region: v.Properties.Region, where: fmt.Sprintf("values[%d].properties.addressPrefixes[%d]", i, j)})
			}
		}
		return FormatAzure, out, nil
	case pf.CreateDate != nil || pf.IPv6Prefixes != nil || slices.ContainsFunc(pf.Prefixes, func(p providerPrefix) bool { return p.IPPrefix != "" }):
		for i, p := range pf.Prefixes {
			out = append(out, netEntry{prefix: p.IPPrefix, service: []string{p.Service}, region: p.Region, where: fmt.Sprintf("prefixes[%d].ip_prefix", i)})
		}
		for i, p := range pf.IPv6Prefixes {
			out = append(out, netEntry{prefix: p.IPv6Prefix, service: []string{p.Service}, region: p.Region, where: fmt.Sprintf("ipv6_prefixes[%d].ipv6_prefix", i)})
		}
		return FormatAWS, out, nil
	case pf.Prefixes != nil || pf.CreationTime != nil:
		for i, p := range pf.Prefixes {
			e := netEntry{prefix: p.IPv4Prefix, service: []string{p.Service}, region: p.Scope, where: fmt.Sprintf("prefixes[%d].ipv4Prefix", i)}
			if p.IPv4Prefix == "" {
				e.prefix, e.where = p.IPv6Prefix, fmt.Sprintf("prefixes[%d].ipv6Prefix", i)
			}
			out = append(out, e)
		}
		return FormatGCP, out, nil
	}
	return "", nil, []netError{{msg: "a JSON document that is not AWS ip-ranges.json (prefixes[].ip_prefix), Google cloud.json or goog.json (prefixes[].ipv4Prefix) or Azure Service Tags (values[].properties.addressPrefixes)"}}
}

// jsonError places a decoding error on its line where it can.
func jsonError(data []byte, err error) netError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	e := netError{msg: "not valid JSON: " + err.Error()}
	if off >= 0 && off <= int64(len(data)) {
		e.line = 1 + bytes.Count(data[:off], []byte("\n"))
	}
	return e
}

// clip shortens a value quoted in an error: a file of the wrong kind may
// hold long lines, or secrets.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// prefixSet answers "is this address in one of these prefixes" with one
// map lookup per prefix length present, whatever the number of prefixes
// (Azure's Service Tags list tens of thousands).
type prefixSet struct {
	set  map[netip.Prefix]struct{}
	lens []int // distinct prefix lengths, IPv4 ones as 0-32, IPv6 ones as 100+bits
}

func newPrefixSet(ps []netip.Prefix) prefixSet {
	s := prefixSet{set: make(map[netip.Prefix]struct{}, len(ps))}
	for _, p := range ps {
		p = p.Masked()
		s.set[p] = struct{}{}
		k := p.Bits()
		if p.Addr().Is6() {
			k += 100
		}
		if !slices.Contains(s.lens, k) {
			s.lens = append(s.lens, k)
		}
	}
	slices.Sort(s.lens)
	return s
}

// contains reports whether a (unmapped from IPv4-in-IPv6) is in the set.
func (s prefixSet) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, k := range s.lens {
		bits := k
		if k >= 100 {
			if !a.Is6() {
				continue
			}
			bits -= 100
		} else if !a.Is4() {
			continue
		}
		if p, err := a.Prefix(bits); err == nil {
			if _, ok := s.set[p]; ok {
				return true
			}
		}
	}
	return false
}
