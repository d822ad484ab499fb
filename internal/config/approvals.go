package config

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"cloudwall/internal/model"
)

// Approval is one approved change record: who may change which accounts
// and resources, opening which ports to which peers, in which window.
type Approval struct {
	Ticket string
	// Who are patterns of the actor (ARN, e-mail, object id, name, or the
	// resolved principal). Required.
	Who []Glob
	// Accounts and Resources are patterns; empty means any.
	Accounts  []Glob
	Resources []Glob
	// Ports approved to be opened; empty means any port.
	Ports model.PortList
	// Peers approved as sources (destinations for egress); empty means any
	// peer that is not world-open. An opening wider than every listed peer
	// is outside the approval.
	Peers []netip.Prefix
	// From and Until bound the window; Until is exclusive.
	From, Until time.Time
	// Source is "file:line".
	Source string
}

// approvalKeys are the fields of a record in every file format.
var approvalKeys = []string{"ticket", "who", "accounts", "resources", "ports", "peers", "from", "until"}

// approval compiles one record read from file name.
func (c *compiler) approval(r rawApproval, name string) (Approval, bool) {
	sub := &compiler{name: name, dir: c.dir, cfg: c.cfg}
	line := lineOf(r.Ticket, r.From, r.Until)
	if line == 0 {
		line = firstLine(r.Who, r.Accounts, r.Resources)
	}
	a := Approval{Ticket: strings.TrimSpace(r.Ticket.V), Source: name + ":" + strconv.Itoa(line)}
	if a.Ticket == "" {
		sub.errorf(line, "approval without a ticket")
	}
	a.Who = sub.globs(r.Who)
	if len(a.Who) == 0 {
		sub.errorf(line, "approval %q: who is required (the actor the change was approved for)", a.Ticket)
	}
	a.Accounts = sub.globs(r.Accounts)
	a.Resources = sub.globs(r.Resources)
	a.Ports = parsePorts(r.Ports, func(l int, f string, args ...any) {
		sub.errorf(l, "approval %q: ports: %s", a.Ticket, fmt.Sprintf(f, args...))
	})
	for _, p := range r.Peers {
		pfx, err := parsePrefix(p.V)
		if err != nil {
			sub.errorf(p.Line, "approval %q: peers: %v", a.Ticket, err)
			continue
		}
		a.Peers = append(a.Peers, pfx)
	}
	var err error
	if strings.TrimSpace(r.From.V) == "" || strings.TrimSpace(r.Until.V) == "" {
		sub.errorf(line, "approval %q: from and until are required (the approved window)", a.Ticket)
	} else {
		if a.From, err = parseTime(r.From.V, false); err != nil {
			sub.errorf(r.From.Line, "approval %q: from: %v", a.Ticket, err)
		}
		if a.Until, err = parseTime(r.Until.V, true); err != nil {
			sub.errorf(r.Until.Line, "approval %q: until: %v", a.Ticket, err)
		}
		if err == nil && !a.Until.After(a.From) {
			sub.errorf(r.Until.Line, "approval %q: until %s is not after from %s", a.Ticket, r.Until.V, r.From.V)
		}
	}
	c.errs = append(c.errs, sub.errs...)
	return a, len(sub.errs) == 0
}

// approvalFile reads change records from a YAML, CSV or JSON-lines file,
// chosen by extension.
func (c *compiler) approvalFile(f str) {
	path := c.path(strings.TrimSpace(f.V))
	data, err := readFile(path)
	if err != nil {
		c.errorf(f.Line, "approvals: %v", err)
		return
	}
	var recs []rawApproval
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".yaml", ".yml":
		recs, err = yamlApprovals(path, data)
	case ".csv":
		recs, err = csvApprovals(path, data)
	case ".jsonl", ".ndjson", ".json":
		recs, err = jsonApprovals(path, data)
	default:
		c.errorf(f.Line, "approvals: %s: unknown format %q (want .yaml, .csv or .jsonl)", path, ext)
		return
	}
	if err != nil {
		c.errs = append(c.errs, err)
	}
	for _, r := range recs {
		if a, ok := c.approval(r, path); ok {
			c.cfg.Approvals = append(c.cfg.Approvals, a)
		}
	}
}

// yamlApprovals reads a YAML file holding a list of records, or a mapping
// with the list under "changes".
func yamlApprovals(path string, data []byte) ([]rawApproval, error) {
	var probe yaml.Node
	if err := yaml.Unmarshal(data, &probe); err != nil {
		return nil, yamlError(path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if len(probe.Content) > 0 && probe.Content[0].Kind == yaml.MappingNode {
		var w struct {
			Changes []rawApproval `yaml:"changes"`
		}
		if err := dec.Decode(&w); err != nil && !errors.Is(err, io.EOF) {
			return nil, yamlError(path, err)
		}
		return w.Changes, nil
	}
	var recs []rawApproval
	if err := dec.Decode(&recs); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(path, err)
	}
	return recs, nil
}

// csvApprovals reads a CSV file whose header names the columns; lists
// within a cell are separated by ';', ',' (in a quoted cell) or spaces.
func csvApprovals(path string, data []byte) ([]rawApproval, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %v", path, err)
	}
	col := map[string]int{}
	var errs []error
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(approvalKeys, h) {
			errs = append(errs, fmt.Errorf("%s:1: unknown column %q (want %s)", path, h, strings.Join(approvalKeys, ", ")))
		}
		col[h] = i
	}
	var out []rawApproval
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", path, err))
			break
		}
		line, _ := r.FieldPos(0)
		cell := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		one := func(k string) str { return str{V: cell(k), Line: line} }
		list := func(k string) []str {
			var l []str
			for _, v := range strings.FieldsFunc(cell(k), func(r rune) bool { return r == ';' || r == ' ' || r == ',' }) {
				l = append(l, str{V: v, Line: line})
			}
			return l
		}
		out = append(out, rawApproval{Ticket: one("ticket"), Who: list("who"), Accounts: list("accounts"),
			Resources: list("resources"), Ports: list("ports"), Peers: list("peers"), From: one("from"), Until: one("until")})
	}
	return out, errors.Join(errs...)
}

// jsonApprovals reads JSON lines: one record object per line; list fields
// may be a string or an array of strings.
func jsonApprovals(path string, data []byte) ([]rawApproval, error) {
	var out []rawApproval
	var errs []error
	for i, l := range bytes.Split(data, []byte("\n")) {
		line := i + 1
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: not a JSON object: %v", path, line, err))
			continue
		}
		bad := false
		for k := range m {
			if !slices.Contains(approvalKeys, k) {
				errs = append(errs, fmt.Errorf("%s:%d: unknown key %q (want %s)", path, line, k, strings.Join(approvalKeys, ", ")))
				bad = true
			}
		}
		if bad {
			continue
		}
		// A value of another type is an error, never skipped: a peer
		// written as an object, dropped, would leave the approval open
		// to any peer.
		var typeErrs []error
		one := func(k string) str {
			v, err := jsonScalar(m[k])
			if err != nil {
				typeErrs = append(typeErrs, fmt.Errorf("%s:%d: %s: want a string, not %s", path, line, k, err))
			}
			return str{V: v, Line: line}
		}
		list := func(k string) []str {
			items, ok := m[k].([]any)
			if !ok {
				if m[k] == nil {
					return nil
				}
				return []str{one(k)}
			}
			var l []str
			for _, x := range items {
				v, err := jsonScalar(x)
				if err != nil {
					typeErrs = append(typeErrs, fmt.Errorf("%s:%d: %s: want strings, not %s", path, line, k, err))
					continue
				}
				l = append(l, str{V: v, Line: line})
			}
			return l
		}
		r := rawApproval{Ticket: one("ticket"), Who: list("who"), Accounts: list("accounts"),
			Resources: list("resources"), Ports: list("ports"), Peers: list("peers"), From: one("from"), Until: one("until")}
		if len(typeErrs) > 0 {
			errs = append(errs, typeErrs...)
			continue
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

// jsonScalar reads a JSON value that stands for one string: a string or
// a number (a port, an account id); null is empty. Anything else is an
// error naming what it is.
func jsonScalar(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return "", fmt.Errorf("the boolean %v", v)
	case []any:
		return "", errors.New("a list")
	}
	return "", errors.New("an object")
}
