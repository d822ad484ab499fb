package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParsePortRange(t *testing.T) {
	tests := []struct {
		in   string
		want PortRange
		ok   bool
	}{
		{"22", PortRange{22, 22}, true},
		{" 8000-8080 ", PortRange{8000, 8080}, true},
		{"*", AllPortRange, true},
		{"Any", AllPortRange, true},
		{"0-65535", AllPortRange, true},
		{"80-22", PortRange{}, false},
		{"70000", PortRange{}, false},
		{"abc", PortRange{}, false},
	}
	for _, tt := range tests {
		got, err := ParsePortRange(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParsePortRange(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestRuleChangeJSONRoundTrip(t *testing.T) {
	in := RuleChange{
		Effect: Added, Direction: Ingress, Action: Allow, Protocol: "tcp",
		Ports:    PortList{{22, 22}, {8000, 8080}, AllPortRange},
		Peers:    []Peer{{PeerCIDR, "0.0.0.0/0"}, {PeerRange, "1.2.3.4-1.2.3.9"}, {PeerGroup, "sg-1"}, {PeerAny, "*"}, {PeerServiceTag, "Internet"}, {PeerTag, "web"}},
		Priority: IntPtr(100),
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"effect":"added","direction":"ingress","action":"allow","protocol":"tcp","ports":["22","8000-8080","all"],"peers":["0.0.0.0/0","1.2.3.4-1.2.3.9","group:sg-1","any:*","service-tag:Internet","tag:web"],"priority":100}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
	var out RuleChange
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(out)
	if string(b2) != string(b) {
		t.Errorf("round trip changed the change:\n%s\n%s", b, b2)
	}
}

func TestSeverity(t *testing.T) {
	for i, name := range []string{"info", "low", "medium", "high", "critical"} {
		s, err := ParseSeverity(name)
		if err != nil || int(s) != i || s.String() != name {
			t.Errorf("ParseSeverity(%q) = %v, %v", name, s, err)
		}
	}
	if s, err := ParseSeverity("HIGH"); err != nil || s != High {
		t.Errorf("severity names are case-insensitive: %v %v", s, err)
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Error("unknown severity accepted")
	}
	b, _ := json.Marshal(struct{ S Severity }{Critical})
	if string(b) != `{"S":"critical"}` {
		t.Errorf("severity JSON = %s", b)
	}
}

func TestWindowOpenAndClosed(t *testing.T) {
	start := time.Date(2026, 3, 14, 10, 2, 11, 0, time.UTC)
	end := start.Add(45*time.Minute + 29*time.Second)
	open := Window{Start: start, StartKnown: true}
	b, err := json.Marshal(open)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"end":null`) {
		t.Errorf("an open window must say end null: %s", b)
	}
	if got := open.Duration(end); got != 45*time.Minute+29*time.Second {
		t.Errorf("open window duration until end = %v", got)
	}
	closed := Window{Start: start, End: &end}
	if got := closed.Duration(end.Add(time.Hour)); got != 45*time.Minute+29*time.Second {
		t.Errorf("closed window duration = %v, want 45m29s whatever the horizon", got)
	}
}

func TestRuleSetCapped(t *testing.T) {
	rules := func(n int) []Rule { return make([]Rule, n) }
	tests := []struct {
		name      string
		in        RuleSet
		wantRules int
		omitted   int
	}{
		{"empty", RuleSet{Known: true}, 0, 0},
		{"at the bound", RuleSet{Rules: rules(MaxRulesShown)}, MaxRulesShown, 0},
		{"over the bound", RuleSet{Rules: rules(60000), Known: true, Note: "n"}, MaxRulesShown, 60000 - MaxRulesShown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Capped()
			if len(got.Rules) != tt.wantRules || got.Omitted != tt.omitted || got.Known != tt.in.Known || got.Note != tt.in.Note {
				t.Errorf("Capped: %d rules, %d omitted, %v %q", len(got.Rules), got.Omitted, got.Known, got.Note)
			}
			if len(tt.in.Rules) > MaxRulesShown && len(tt.in.Rules) != 60000 {
				t.Error("Capped changed its receiver")
			}
		})
	}
}

// TestEventSentRoundTrip: a spill writes events as JSON and reads them
// back; "the body carried no list field" (Sent empty, not nil) must come
// back as such, or an AKS PUT that drops the ranges and a GCP patch of no
// list field read differently once spilled.
func TestEventSentRoundTrip(t *testing.T) {
	for _, sent := range [][]string{nil, {}, {"authorizedipranges"}} {
		b, err := json.Marshal(Event{Sent: sent})
		if err != nil {
			t.Fatal(err)
		}
		var back Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if (back.Sent == nil) != (sent == nil) || len(back.Sent) != len(sent) {
			t.Errorf("Sent %#v came back %#v (%s)", sent, back.Sent, b)
		}
	}
}
