package config

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// compiler turns a raw file into a Config, collecting every error.
type compiler struct {
	name string
	dir  string
	cfg  *Config
	errs []error
}

func (c *compiler) errorf(line int, format string, args ...any) {
	pos := c.name
	if line > 0 {
		pos += ":" + strconv.Itoa(line)
	}
	c.errs = append(c.errs, fmt.Errorf("%s: %s", pos, fmt.Sprintf(format, args...)))
}

// path resolves a path named in the file relative to the file.
func (c *compiler) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

func (c *compiler) compile(r *rawFile) {
	if v := strings.TrimSpace(r.Version.V); v != "" && v != "1" {
		c.errorf(r.Version.Line, "version %q: this cloudwall reads version 1", v)
	}
	for _, p := range r.Content {
		if strings.TrimSpace(p.V) == "" {
			c.errorf(p.Line, "content: empty path")
			continue
		}
		c.cfg.Content = append(c.cfg.Content, c.path(strings.TrimSpace(p.V)))
	}
	c.trusted(r.TrustedNetworks)
	c.automation(r.Automation)
	if r.Approvals != nil {
		for _, a := range r.Approvals.Changes {
			if ap, ok := c.approval(a, c.name); ok {
				c.cfg.Approvals = append(c.cfg.Approvals, ap)
			}
		}
		for _, f := range r.Approvals.Files {
			c.approvalFile(f)
		}
	}
	c.suppressions(r.Suppressions)
	c.networkClasses(r.NetworkClasses)
	c.identities(r.Identities)
}

func (c *compiler) identities(raw []rawIdentity) {
	for _, r := range raw {
		name := strings.TrimSpace(r.Name.V)
		if name == "" {
			c.errorf(r.Name.Line, "identities: an entry without a name")
			continue
		}
		if len(r.Match) == 0 {
			c.errorf(r.Name.Line, "identities %q: match is empty: list the principals (ARNs, e-mails, object ids, patterns) that are this person or workload", name)
			continue
		}
		c.cfg.Identities = append(c.cfg.Identities, IdentityMap{Name: strings.ToLower(name), Match: c.globs(r.Match), Line: r.Name.Line})
	}
}

func (c *compiler) trusted(raw []rawTrusted) {
	seen := map[string]bool{}
	for _, t := range raw {
		line := lineOf(t.Name) + 0
		if line == 0 {
			line = firstLine(t.CIDRs)
		}
		name := strings.TrimSpace(t.Name.V)
		switch {
		case name == "":
			c.errorf(line, "trusted_networks: entry without a name")
		case seen[strings.ToLower(name)]:
			c.errorf(line, "trusted_networks: %q listed twice", name)
		}
		seen[strings.ToLower(name)] = true
		if len(t.CIDRs) == 0 {
			c.errorf(line, "trusted_networks %q: no cidrs", name)
		}
		tn := TrustedNetwork{Name: name}
		for _, v := range t.CIDRs {
			p, err := parsePrefix(v.V)
			if err != nil {
				c.errorf(v.Line, "trusted_networks %q: %v", name, err)
				continue
			}
			// Trusting a world-scale block would turn the internet into
			// "trusted" and hide every exposure.
			if p.Bits() < 8 || (p.Addr().Is6() && p.Bits() < 16) {
				c.errorf(v.Line, "trusted_networks %q: %s is too wide to trust (at most a /8 for IPv4, a /16 for IPv6)", name, p)
				continue
			}
			tn.Prefixes = append(tn.Prefixes, p)
		}
		c.cfg.Trusted = append(c.cfg.Trusted, tn)
	}
}

// parsePrefix reads a CIDR or a bare address, strictly.
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		if p != p.Masked() {
			return netip.Prefix{}, fmt.Errorf("CIDR %q has host bits set (did you mean %s?)", s, p.Masked())
		}
		return p, nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, fmt.Errorf("%q is not a CIDR or an address", s)
}

func (c *compiler) automation(raw []rawAutomation) {
	for _, a := range raw {
		line := lineOf(a.Name, a.Kind)
		if line == 0 {
			line = firstLine(a.Roles, a.Users, a.ServiceAccounts, a.AzureAppIDs, a.InvokedBy, a.UserAgents)
		}
		name := strings.TrimSpace(a.Name.V)
		if name == "" {
			c.errorf(line, "automation: entry without a name")
		}
		kind := strings.ToLower(strings.TrimSpace(a.Kind.V))
		if !slices.Contains([]string{KindIaC, KindController, KindServiceLinked}, kind) {
			c.errorf(lineOf(a.Kind, a.Name), "automation %q: kind %q: want iac, controller or service-linked", name, a.Kind.V)
		}
		au := Automation{
			Name: name, Kind: kind, Line: line,
			Roles:           c.globs(a.Roles),
			Users:           c.globs(a.Users),
			ServiceAccounts: c.globs(a.ServiceAccounts),
			AzureAppIDs:     c.globs(a.AzureAppIDs),
			InvokedBy:       c.globs(a.InvokedBy),
			UserAgents:      c.globs(a.UserAgents),
		}
		if len(au.Roles)+len(au.Users)+len(au.ServiceAccounts)+len(au.AzureAppIDs)+len(au.InvokedBy) == 0 {
			c.errorf(line, "automation %q: needs an identity (roles, users, service_accounts, azure_app_ids or invoked_by); user_agents alone are chosen by the caller and cannot identify automation", name)
		}
		c.cfg.Automation = append(c.cfg.Automation, au)
	}
}

// globs compiles patterns; a bare "*" is refused, since it would match
// every caller.
func (c *compiler) globs(raw []str) []Glob {
	var out []Glob
	for _, v := range raw {
		g := NewGlob(v.V)
		if strings.Trim(string(g), "*?") == "" {
			c.errorf(v.Line, "pattern %q matches everything: name what it should match", v.V)
			continue
		}
		out = append(out, g)
	}
	return out
}

func (c *compiler) suppressions(raw []rawSuppression) {
	seen := map[string]bool{}
	for _, s := range raw {
		line := lineOf(s.ID, s.Owner, s.Reason, s.Expires)
		id := strings.TrimSpace(s.ID.V)
		if id == "" {
			c.errorf(line, "suppressions: entry without an id")
		} else if seen[id] {
			c.errorf(line, "suppressions: id %q used twice", id)
		}
		seen[id] = true
		for _, f := range []struct {
			v    str
			what string
		}{{s.Owner, "owner"}, {s.Reason, "reason"}, {s.Expires, "expires"}} {
			if strings.TrimSpace(f.v.V) == "" {
				c.errorf(line, "suppression %q: %s is required", id, f.what)
			}
		}
		sup := Suppression{ID: id, Owner: strings.TrimSpace(s.Owner.V), Reason: strings.TrimSpace(s.Reason.V),
			Source: c.name + ":" + strconv.Itoa(line)}
		if strings.TrimSpace(s.Expires.V) != "" {
			t, err := parseTime(s.Expires.V, true)
			if err != nil {
				c.errorf(s.Expires.Line, "suppression %q: expires: %v", id, err)
			}
			sup.Expires = t
		}
		m := s.Match
		sup.Match = Scope{Rules: c.globs(m.Rules), Findings: c.globs(m.Findings), Clouds: c.globs(m.Clouds),
			Accounts: c.globs(m.Accounts), Resources: c.globs(m.Resources), Actors: c.globs(m.Actors)}
		for _, v := range m.Clouds {
			if !NewGlob(v.V).Match("aws") && !NewGlob(v.V).Match("azure") && !NewGlob(v.V).Match("gcp") {
				c.errorf(v.Line, "suppression %q: clouds: %q is none of aws, azure, gcp", id, v.V)
			}
		}
		if sup.Match.Empty() {
			c.errorf(line, "suppression %q: match is empty and would hide every finding: name rules, findings, clouds, accounts, resources or actors", id)
		}
		c.cfg.Suppressions = append(c.cfg.Suppressions, sup)
	}
}

func (c *compiler) networkClasses(raw []rawNetworkClass) {
	seen := map[string]bool{}
	for _, n := range raw {
		line := lineOf(n.Name, n.File)
		name := strings.TrimSpace(n.Name.V)
		if name == "" || strings.TrimSpace(n.File.V) == "" {
			c.errorf(line, "network_classes: each entry needs a name and a file")
			continue
		}
		if seen[strings.ToLower(name)] {
			c.errorf(line, "network_classes: %q listed twice", name)
		}
		seen[strings.ToLower(name)] = true
		path := c.path(strings.TrimSpace(n.File.V))
		data, err := readFile(path)
		if err != nil {
			c.errorf(n.File.Line, "network class %q: %v", name, err)
			continue
		}
		nc := NetworkClass{Name: name, File: path, Services: c.globs(n.Services), Regions: c.globs(n.Regions)}
		format, entries, errs := parseNetworkFile(data)
		for _, e := range errs {
			c.errs = append(c.errs, fmt.Errorf("%s: network class %q: %s", at(path, e.line, e.where), name, e.msg))
		}
		nc.Format = format
		filtered := len(nc.Services)+len(nc.Regions) > 0
		if filtered && (format == FormatList || format == FormatTorExitAddresses) {
			c.errorf(line, "network class %q: services and regions select entries of a provider's ranges (AWS ip-ranges.json, Google cloud.json, Azure Service Tags); %s is a %s", name, path, format)
			continue
		}
		for _, e := range entries {
			if len(nc.Services) > 0 && !AnyMatch(nc.Services, e.service...) {
				continue
			}
			if len(nc.Regions) > 0 && !AnyMatch(nc.Regions, e.region) {
				continue
			}
			p, err := parsePrefix(e.prefix)
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("%s: network class %q: %v", at(path, e.line, e.where), name, err))
				continue
			}
			nc.Prefixes = append(nc.Prefixes, p)
		}
		if len(errs) == 0 && len(nc.Prefixes) == 0 {
			what := "no addresses"
			if filtered {
				what = "no entries of the services and regions given"
			}
			c.errorf(line, "network class %q: %s holds %s", name, path, what)
			continue
		}
		nc.index = newPrefixSet(nc.Prefixes)
		c.cfg.NetworkClasses = append(c.cfg.NetworkClasses, nc)
	}
}

// parseTime reads RFC 3339 or a date. A bare date as an end (upper) is
// the end of that day: the first instant of the next day, exclusive.
func parseTime(s string, upper bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if upper {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date: use 2026-03-14 or 2026-03-14T09:00:00Z", s)
}

// parsePorts reads "22", "8000-8080", "all".
func parsePorts(raw []str, errf func(int, string, ...any)) model.PortList {
	var out model.PortList
	for _, v := range raw {
		r, err := model.ParsePortRange(v.V)
		if err != nil {
			errf(v.Line, "%v", err)
			continue
		}
		out = append(out, r)
	}
	return out
}
