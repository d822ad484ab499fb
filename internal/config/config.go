// Package config reads cloudwall.yaml, the configuration users keep in git:
// trusted networks, automation identities, approved change records,
// suppressions, extra detection content and the network classes the
// first-seen correlation uses.
//
// A file is decoded strictly: an unknown key, a CIDR that does not parse, a
// date that is not a date are errors that name the file and line; all the
// errors found are returned together. Load returns a compiled *Config that
// is never modified afterwards, so it is safe for concurrent use.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultName is the file looked for in the working directory.
const DefaultName = "cloudwall.yaml"

// maxFileSize bounds a configuration or approval file: a bigger one is a
// wrong path (a log, an archive), refused before it is parsed.
const maxFileSize = 16 << 20

// Config is a compiled configuration.
type Config struct {
	// Path is the file the configuration was read from ("" for none).
	Path string
	// Content lists detection content files (same schema as --content),
	// resolved relative to the configuration file.
	Content []string
	// Trusted are networks a peer may be inside to count as trusted
	// rather than internet.
	Trusted []TrustedNetwork
	// Automation lists the identities that are automation.
	Automation []Automation
	// Approvals are approved change records, from the file and the files
	// it names.
	Approvals []Approval
	// Suppressions hide findings until they expire.
	Suppressions []Suppression
	// NetworkClasses name address sets (a cloud's published ranges, Tor
	// exits) the first-seen correlation reports a source network class by.
	NetworkClasses []NetworkClass
	// Identities map principals of every cloud to one identity (a person
	// or workload), on top of what the logs resolve by themselves.
	Identities []IdentityMap
}

// IdentityMap names one identity and the principals that are it.
type IdentityMap struct {
	Name  string
	Match []Glob
	Line  int
}

// TrustedNetwork is a named set of prefixes: corporate ranges, VPN egress,
// CI runners, partners.
type TrustedNetwork struct {
	Name     string
	Prefixes []netip.Prefix
}

// NetworkClass is a named set of prefixes read from a file: a list of one
// CIDR or address per line ('#' comments allowed; the Tor bulk exit list),
// Tor's exit-addresses, AWS ip-ranges.json, Google cloud.json or
// goog.json, or Azure Service Tags, found by content (see the Format
// constants). Services and Regions, when given, keep only the provider's
// entries they match.
type NetworkClass struct {
	Name     string
	File     string
	Format   string
	Services []Glob
	Regions  []Glob
	Prefixes []netip.Prefix
	index    prefixSet
}

// Contains reports whether the class holds the address.
func (n *NetworkClass) Contains(a netip.Addr) bool {
	if n.index.set == nil {
		// Built by hand, not by Load: no index.
		return slices.ContainsFunc(n.Prefixes, func(p netip.Prefix) bool { return p.Contains(a.Unmap()) })
	}
	return n.index.contains(a)
}

// ClassesOf names the configured network classes that hold the address,
// in configuration order. c may be nil.
func (c *Config) ClassesOf(a netip.Addr) []string {
	if c == nil {
		return nil
	}
	var out []string
	for i := range c.NetworkClasses {
		if c.NetworkClasses[i].Contains(a) {
			out = append(out, c.NetworkClasses[i].Name)
		}
	}
	return out
}

// Automation kinds.
const (
	KindIaC           = "iac"
	KindController    = "controller"
	KindServiceLinked = "service-linked"
)

// Automation is one automation identity. It matches an event by identity
// (Roles, Users, ServiceAccounts, AzureAppIDs, InvokedBy): at least one is
// required, because a user agent is chosen by the caller. UserAgents, when
// given, narrow a match further; they never make one.
type Automation struct {
	Name            string
	Kind            string
	Roles           []Glob
	Users           []Glob
	ServiceAccounts []Glob
	AzureAppIDs     []Glob
	InvokedBy       []Glob
	UserAgents      []Glob
	Line            int
}

// Suppression hides the findings it matches until Expires.
type Suppression struct {
	ID      string
	Owner   string
	Reason  string
	Expires time.Time // the first instant the suppression no longer applies
	Match   Scope
	Source  string // "file:line"
}

// Scope selects findings; every non-empty field must match, any value
// within a field may.
type Scope struct {
	Rules     []Glob
	Findings  []Glob
	Clouds    []Glob
	Accounts  []Glob
	Resources []Glob
	Actors    []Glob
}

// Empty reports whether s would match every finding.
func (s Scope) Empty() bool {
	return len(s.Rules)+len(s.Findings)+len(s.Clouds)+len(s.Accounts)+len(s.Resources)+len(s.Actors) == 0
}

// Find returns the path of the configuration to use: explicit when given,
// else DefaultName in dir when it exists, else "".
func Find(explicit, dir string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	p := filepath.Join(dir, DefaultName)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	return "", nil
}

// Load reads and compiles the configuration at path. An empty path gives
// an empty configuration.
func Load(path string) (*Config, error) {
	if path == "" {
		return &Config{}, nil
	}
	data, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse compiles configuration bytes; name is used in errors and to
// resolve the relative paths the file names.
func Parse(name string, data []byte) (*Config, error) {
	var raw rawFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	c := compiler{name: name, dir: filepath.Dir(name), cfg: &Config{Path: name}}
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		// After type errors (unknown keys, a list for a value) the decoder
		// has read the rest: go on, so every error is reported at once.
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, yamlError(name, err)
		}
		c.errs = append(c.errs, yamlError(name, err))
	}
	c.compile(&raw)
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	return c.cfg, nil
}

// readFile reads at most maxFileSize bytes of path.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a configuration file", path, maxFileSize>>20)
	}
	return data, nil
}

// yamlError rewrites the decoder's "line N: ..." messages as "file:N: ...".
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var errs []error
		for _, m := range te.Errors {
			errs = append(errs, errors.New(lineMessage(name, m)))
		}
		return errors.Join(errs...)
	}
	return errors.New(lineMessage(name, strings.TrimPrefix(err.Error(), "yaml: ")))
}

// lineMessage turns "line 7: field prots not found in type config.rawX"
// into "file:7: unknown key prots".
func lineMessage(name, m string) string {
	if rest, ok := strings.CutPrefix(m, "line "); ok {
		if num, msg, ok := strings.Cut(rest, ": "); ok {
			if f, ok := strings.CutPrefix(msg, "field "); ok {
				if k, _, ok := strings.Cut(f, " not found in type"); ok {
					msg = "unknown key " + k
				}
			}
			return name + ":" + num + ": " + msg
		}
	}
	return name + ": " + m
}
