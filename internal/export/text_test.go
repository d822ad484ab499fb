package export

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// requestText is the request of a native record as the SIEM tables hold
// it, lower case: CloudTrail's requestParameters, Azure's properties (its
// bodies are JSON text inside), GCP's protoPayload.request, as JSON.
func requestText(t *testing.T, rec flagged) string {
	t.Helper()
	var v any
	switch rec.cloud {
	case model.AWS:
		v = rec.record["requestParameters"]
	case model.Azure:
		v = rec.record["properties"]
	case model.GCP:
		v = rec.record["protoPayload"].(map[string]any)["request"]
	}
	if s, ok := v.(string); ok {
		return strings.ToLower(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ToLower(string(b))
}

// TestTextPatternsFlagWhatTheEngineFlags checks the expressions the KQL,
// SPL, SQL and Elastic queries test the request text with, using Go's
// RE2 (the dialect of Sentinel and BigQuery) over every native fixture
// record: where the engine finds a rule world-open, the world expression
// matches, and where on a sensitive port, the port or protocol one does.
// GCP method expressions match their rule's records and no other rule's.
func TestTextPatternsFlagWhatTheEngineFlags(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]*spec{}
	for i := range c.Operations {
		if s, _ := buildSpec(c, &c.Operations[i]); s != nil {
			specs[s.op.ID] = s
		}
	}
	compiled := map[string]*regexp.Regexp{}
	re := func(expr string) *regexp.Regexp {
		if r, ok := compiled[expr]; ok {
			return r
		}
		r := regexp.MustCompile(expr)
		compiled[expr] = r
		return r
	}
	var world, sensitive, noSource int
	for _, rec := range fixtureRecords(t, c) {
		text := requestText(t, rec)
		if rec.cloud == model.GCP {
			method := strings.ToLower(rec.record["protoPayload"].(map[string]any)["methodName"].(string))
			key := operationKey(rec.cloud, rec.record)
			for id, s := range specs {
				if s.op.Cloud == model.GCP && re(methodRegex(s.names)).MatchString(method) != hasString(s.op.Keys, key) {
					t.Errorf("%s: method %s: %s's expression disagrees with the catalogue", rec.where, method, id)
				}
			}
		}
		for _, f := range rec.findings {
			s := specs[f.Rule]
			w, sens, _ := worldOpen(c, f)
			if s.noSource != nil {
				// The KQL and BigQuery queries call a request without any
				// of these fields, not going EGRESS, world-open.
				req, _ := rec.record["protoPayload"].(map[string]any)["request"].(map[string]any)
				_, named := req[s.present]
				absent := named && !strings.EqualFold(fmt.Sprint(req["direction"]), "egress")
				for _, k := range s.noSource {
					if _, ok := req[k]; ok {
						absent = false
					}
				}
				if absent && !w {
					t.Errorf("%s: no source logged, yet the engine does not find %s world-open", rec.where, f.Rule)
				}
				if w && !absent && sigmaCannot(rec, f) != "" {
					t.Errorf("%s: the engine applies the default source; the queries' absence test does not", rec.where)
				}
				if absent {
					noSource++
				}
			}
			if !w || sigmaCannot(rec, f) != "" {
				continue
			}
			if s.exp == nil {
				t.Errorf("%s: the engine finds %s world-open; its queries do not read exposure", rec.where, f.Rule)
				continue
			}
			p := patterns(c, s)
			world++
			if !re(p.world).MatchString(text) {
				t.Errorf("%s: the engine finds %s world-open (%v); the world expression misses\n%s", rec.where, f.Rule, f.Exposure, text)
			}
			if !sens || s.op.Service != nil {
				continue
			}
			sensitive++
			if !(p.port != "" && re(p.port).MatchString(text)) && !(p.proto != "" && re(p.proto).MatchString(text)) {
				t.Errorf("%s: the engine finds %s world-open on %v; the port and protocol expressions miss\n%s", rec.where, f.Rule, f.Exposure, text)
			}
		}
	}
	if noSource == 0 {
		t.Error("no fixture exercises the default source")
	}
	if world < 10 || sensitive < 5 {
		t.Errorf("too few checks: %d world-open, %d sensitive", world, sensitive)
	}
	t.Logf("%d world-open and %d sensitive findings checked", world, sensitive)
}

// TestTextPatternsCanFail makes sure the expressions are not vacuous.
func TestTextPatternsCanFail(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	s, _ := buildSpec(c, mustOp(t, c, "az-nsg-rule-write"))
	p := patterns(c, s)
	for _, tc := range []struct {
		text        string
		world, port bool
	}{
		{`{"requestbody":"{\"properties\":{\"sourceaddressprefix\":\"10.0.0.0/8\",\"destinationportrange\":\"443\"}}"}`, false, false},
		{`{"requestbody":"{\"properties\":{\"sourceaddressprefix\":\"internet\",\"destinationportrange\":\"3389\"}}"}`, true, true},
		{`{"requestbody":"{\"properties\":{\"sourceaddressprefix\":\"10.0.0.0/8\",\"sourceportrange\":\"*\",\"destinationportrange\":\"8443\"}}"}`, false, false},
		{`{"requestbody":"{\"properties\":{\"sourceaddressprefixes\":[\"10.1.0.0/16\",\"0.0.0.0/0\"],\"destinationportranges\":[\"80\",\"22-23\"]}}"}`, true, true},
		{`{"requestbody":"{\"properties\":{\"sourceaddressprefix\":\"10.0.0.0/16\"}}"}`, false, false},
	} {
		if got := regexp.MustCompile(p.world).MatchString(tc.text); got != tc.world {
			t.Errorf("world %v, want %v: %s", got, tc.world, tc.text)
		}
		if got := regexp.MustCompile(p.port).MatchString(tc.text); got != tc.port {
			t.Errorf("port %v, want %v: %s", got, tc.port, tc.text)
		}
	}
}

func mustOp(t *testing.T, c *content.Content, id string) *content.Operation {
	t.Helper()
	for i := range c.Operations {
		if c.Operations[i].ID == id {
			return &c.Operations[i]
		}
	}
	t.Fatalf("no rule %s", id)
	return nil
}

func mustContent(t *testing.T) *content.Content {
	t.Helper()
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustSpec(t *testing.T, id string) *spec {
	t.Helper()
	c := mustContent(t)
	s, why := buildSpec(c, mustOp(t, c, id))
	if s == nil {
		t.Fatalf("%s: %s", id, why)
	}
	return s
}
