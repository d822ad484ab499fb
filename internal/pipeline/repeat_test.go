package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// nicWrite is one Azure networkInterfaces/write (its Start and its Success
// or Failure record) in the Activity Log's resource-log form: nsg is the
// network security group the request body sets, "" for none.
type nicWrite struct {
	id, at, sub, nic, nsg, caller string
	failed                        bool
}

func writeNICLog(t *testing.T, writes []nicWrite) string {
	t.Helper()
	var b strings.Builder
	for _, w := range writes {
		res := "/SUBSCRIPTIONS/" + w.sub + "/RESOURCEGROUPS/RG-VM/PROVIDERS/MICROSOFT.NETWORK/NETWORKINTERFACES/" + w.nic
		body := map[string]any{"location": "westeurope", "properties": map[string]any{"ipConfigurations": []any{}}}
		if w.nsg != "" {
			body["properties"].(map[string]any)["networkSecurityGroup"] = map[string]string{
				"id": "/subscriptions/" + strings.ToLower(w.sub) + "/resourceGroups/rg-vm/providers/Microsoft.Network/networkSecurityGroups/" + w.nsg}
		}
		reqBody, _ := json.Marshal(body)
		at, _ := time.Parse(time.RFC3339, w.at)
		rec := func(at time.Time, resultType, signature string, props map[string]string) {
			r := map[string]any{"time": at.Format(time.RFC3339Nano), "resourceId": res, "operationName": "MICROSOFT.NETWORK/NETWORKINTERFACES/WRITE",
				"category": "Administrative", "resultType": resultType, "resultSignature": signature, "callerIpAddress": "198.51.100.5",
				"correlationId": w.id, "level": "Information", "location": "westeurope", "properties": props,
				"identity": map[string]any{"claims": map[string]string{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": w.caller}}}
			line, _ := json.Marshal(r)
			b.Write(line)
			b.WriteByte('\n')
		}
		rec(at, "Start", "Started.", map[string]string{"requestbody": string(reqBody)})
		if w.failed {
			rec(at.Add(time.Second), "Failure", "Failed.Forbidden", map[string]string{"statusCode": "Forbidden"})
		} else {
			rec(at.Add(time.Second), "Success", "Succeeded.OK", map[string]string{"statusCode": "OK"})
		}
	}
	path := filepath.Join(t.TempDir(), "PT1H.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRepeatedSettingFolds: a NIC written again with the network security
// group its last successful write set changed nothing; its info finding is
// folded into the first one's, which says how often and until when, and
// the summary counts it. A failed write between does not break the run; a
// detach (judged worse), another group, another NIC or another
// subscription is reported. The same in memory and spilled, and under
// --since a first write filtered out does not hide the next.
func TestRepeatedSettingFolds(t *testing.T) {
	const sub, other = "EEEEEEEE-0000-4000-8000-000000000005", "FFFFFFFF-0000-4000-8000-000000000006"
	path := writeNICLog(t, []nicWrite{
		{id: "a1", at: "2026-05-01T10:00:00Z", sub: sub, nic: "VM1-NIC", nsg: "nsg-a", caller: "deploy@contoso.com"},
		{id: "a2", at: "2026-05-02T10:00:00Z", sub: sub, nic: "VM1-NIC", nsg: "nsg-a", caller: "deploy@contoso.com"},
		{id: "a3", at: "2026-05-03T10:00:00Z", sub: sub, nic: "vm1-nic", nsg: "nsg-a", caller: "ops@contoso.com"},
		{id: "a4-failed", at: "2026-05-03T11:00:00Z", sub: sub, nic: "VM1-NIC", nsg: "nsg-b", caller: "mallory@contoso.com", failed: true},
		{id: "a5-detach", at: "2026-05-04T10:00:00Z", sub: sub, nic: "VM1-NIC", caller: "mallory@contoso.com"},
		{id: "a6", at: "2026-05-05T10:00:00Z", sub: sub, nic: "VM1-NIC", nsg: "nsg-a", caller: "deploy@contoso.com"},
		{id: "a7-swap", at: "2026-05-06T10:00:00Z", sub: sub, nic: "VM1-NIC", nsg: "nsg-b", caller: "deploy@contoso.com"},
		{id: "a8", at: "2026-05-07T10:00:00Z", sub: sub, nic: "VM1-NIC", nsg: "nsg-b", caller: "deploy@contoso.com"},
		{id: "b1", at: "2026-05-02T12:00:00Z", sub: sub, nic: "VM2-NIC", nsg: "nsg-a", caller: "deploy@contoso.com"},
		{id: "c1", at: "2026-05-02T13:00:00Z", sub: other, nic: "VM1-NIC", nsg: "nsg-a", caller: "deploy@contoso.com"},
	})
	since, _ := time.Parse(time.RFC3339, "2026-05-02T11:00:00Z")
	for _, tc := range []struct {
		name    string
		opts    Options
		shown   []string
		repeats int64
		// annotated are the findings later writes were folded into, with
		// how many and the last actor.
		annotated map[string]string
	}{
		{
			name:    "in memory",
			opts:    Options{Filter: Filter{MinSeverity: model.Info}},
			shown:   []string{"a1", "a4-failed", "a5-detach", "a6", "a7-swap", "b1", "c1"},
			repeats: 3,
			annotated: map[string]string{
				"a1":      "by 2 later successful writes in these logs (the last at 2026-05-03T10:00:00Z by ops@contoso.com)",
				"a7-swap": "by 1 later successful write in these logs (the last at 2026-05-07T10:00:00Z by deploy@contoso.com)",
			},
		},
		{
			name:    "spilled",
			opts:    Options{Filter: Filter{MinSeverity: model.Info}, MaxHeld: 1},
			shown:   []string{"a1", "a4-failed", "a5-detach", "a6", "a7-swap", "b1", "c1"},
			repeats: 3,
			annotated: map[string]string{
				"a1":      "by 2 later successful writes",
				"a7-swap": "by 1 later successful write",
			},
		},
		{
			// a1 and a2 are before --since: a3 is the first write shown.
			name:      "since",
			opts:      Options{Filter: Filter{MinSeverity: model.Info, Since: since}},
			shown:     []string{"a3", "a4-failed", "a5-detach", "a6", "a7-swap", "b1", "c1"},
			repeats:   1,
			annotated: map[string]string{"a7-swap": "by 1 later successful write"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := scan(t, []string{path}, tc.opts)
			var shown []string
			byID := map[string]model.Finding{}
			err := res.EachFinding(func(f model.Finding) error {
				shown = append(shown, f.Event.EventID)
				byID[f.Event.EventID] = f
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(shown)
			if !slices.Equal(shown, tc.shown) {
				t.Errorf("shown %v, want %v", shown, tc.shown)
			}
			if res.Summary.Repeats != tc.repeats {
				t.Errorf("summary repeats %d, want %d", res.Summary.Repeats, tc.repeats)
			}
			for id, f := range byID {
				text := strings.Join(f.Reasons, "\n")
				want, ok := tc.annotated[id]
				switch {
				case ok && !strings.Contains(text, "set again, the same, "+want):
					t.Errorf("%s: reasons lack %q:\n%s", id, want, text)
				case !ok && strings.Contains(text, "set again"):
					t.Errorf("%s: reasons tell of repeats it has none of:\n%s", id, text)
				}
			}
			if f := byID["a5-detach"]; f.Severity <= model.Info {
				t.Errorf("the detach is %s, want above info", f.Severity)
			}
		})
	}
}

// TestRepeatsBounded: past the bound on resources tracked, and on
// findings repeated, writes are reported, not folded, and counted in a
// notice: a flood of distinct resources or of alternating settings does
// not grow what the fold holds.
func TestRepeatsBounded(t *testing.T) {
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	finding := func(i int, res, nsg string) model.Finding {
		return model.Finding{ID: fmt.Sprint(i), Cloud: model.Azure, Rule: "az-nic-nsg", Severity: model.Info, Outcome: model.Success,
			Time: at.Add(time.Duration(i) * time.Minute), Resource: model.Resource{Type: "network_interface", ID: res}, Settings: map[string]string{"policy": nsg}}
	}
	r := newRepeats(2, time.Time{})
	var folded []int
	for i, w := range []struct{ res, nsg string }{
		{"nic-1", "a"}, {"nic-2", "a"}, {"nic-3", "a"}, // nic-3 is past the bound on resources
		{"nic-3", "a"},                 // so its repeat is reported
		{"nic-1", "a"},                 // folded: the first finding repeated
		{"nic-1", "a"},                 // folded into the same one
		{"nic-2", "a"},                 // folded: the second
		{"nic-1", "b"}, {"nic-1", "b"}, // a third finding repeated: past the bound, reported
	} {
		f := finding(i, w.res, w.nsg)
		if r.fold(&f) {
			folded = append(folded, i)
		}
	}
	if want := []int{4, 5, 6}; !slices.Equal(folded, want) {
		t.Errorf("folded %v, want %v", folded, want)
	}
	if len(r.last) > 2 || len(r.firsts) > 2 {
		t.Errorf("holds %d resources and %d repeated findings, bound 2", len(r.last), len(r.firsts))
	}
	if n := r.notices(); len(n) != 1 || !strings.HasPrefix(n[0], "3 findings were not compared") {
		t.Errorf("notices %q", n)
	}
}
