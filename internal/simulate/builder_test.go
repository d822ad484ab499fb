package simulate

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"cloudwall/internal/model"
)

func TestBuilder(t *testing.T) {
	b := NewBuilder(1)
	env := Env{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Account: "123456789012", Region: "eu-west-1"}
	valid := func(name string, rec []byte) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(rec, &m); err != nil {
			t.Fatalf("%s: invalid JSON: %v\n%s", name, err, rec)
		}
		return m
	}
	for i := 0; i < 200; i++ {
		rec := b.AWSRecord(env)
		m := valid("AWSRecord", rec)
		if m["recipientAccountId"] != env.Account {
			t.Fatalf("AWSRecord ignores Env.Account: %s", rec)
		}
		for _, r := range b.AzureRecords(Env{Account: "00000000-0000-0000-0000-000000000001"}) {
			valid("AzureRecords", r)
		}
		for _, r := range b.GCPRecords(Env{Account: "my-project"}) {
			if !bytes.Contains(r, []byte("my-project")) {
				t.Fatalf("GCPRecords ignores Env.Account: %s", r)
			}
			valid("GCPRecords", r)
		}
	}
	for _, sc := range Scenarios() {
		recs, ev, err := b.Plant(sc.Name, env)
		if err != nil {
			t.Fatalf("%s: %v", sc.Name, err)
		}
		if len(recs) == 0 || ev.EventID == "" || ev.Kind != sc.Kind || ev.Cloud != sc.Cloud {
			t.Errorf("%s: got %d records, event %+v", sc.Name, len(recs), ev)
		}
		for _, r := range recs {
			valid(sc.Name, r)
		}
		if m := valid(sc.Name, recs[0]); !containsValue(m, sc.Operation) {
			t.Errorf("%s: first record does not name %s", sc.Name, sc.Operation)
		}
		if sc.Cloud == model.Azure && len(recs) < 2 {
			t.Errorf("%s: Azure operation logged as %d record(s), want Start and an end record", sc.Name, len(recs))
		}
	}
	if _, _, err := b.Plant("no-such-scenario", env); err == nil {
		t.Error("unknown scenario accepted")
	}
}

func TestAppendQuoted(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "tab\tnl\n\x01", "ünïcødé ✓", "bad\xffutf8"} {
		got := appendQuoted(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encoded as %s: %v", s, got, err)
		}
		if want, _ := json.Marshal(s); back != s && !bytes.Contains(want, []byte(`\ufffd`)) {
			t.Errorf("%q round-tripped as %q", s, back)
		}
	}
}
