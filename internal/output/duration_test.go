package output

import (
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

func TestDurationReadsInDaysFromADay(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{45*time.Minute + 29*time.Second, "45m29s"},
		{23*time.Hour + 59*time.Minute, "23h59m0s"},
		{24 * time.Hour, "1d 0h"},
		{50356*time.Hour + 44*time.Minute + 24*time.Second, "2098d 4h"},
		{-time.Second, "0s"},
	} {
		if got := duration(tt.d); got != tt.want {
			t.Errorf("duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestOpenWindowMeasuredToItsAccount: a window still open is measured to
// the end of its own firewall's account data, not to the end of all.
func TestOpenWindowMeasuredToItsAccount(t *testing.T) {
	start := time.Date(2017, 2, 16, 21, 50, 0, 0, time.UTC)
	w := model.Window{Cloud: model.Azure, Account: "sub-old", Firewall: model.Resource{Type: "nsg", ID: "nsg-old"},
		Rule:  model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: model.PortList{{From: 3389, To: 3389}}},
		Start: start, StartKnown: true, Severity: model.Critical}
	ft := model.FirewallTimeline{Cloud: model.Azure, Account: "sub-old", Firewall: w.Firewall, Severity: model.Critical,
		Windows: []model.Window{w}, Changes: []model.Change{}, End: start.Add(12 * time.Minute), Exposed: 12 * time.Minute}
	var b strings.Builder
	err := WriteTimeline(&b, FormatTable, Timeline{Firewalls: []model.FirewallTimeline{ft}, End: time.Date(2022, 11, 16, 0, 0, 0, 0, time.UTC)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "still open at the end of the data (12m0s so far)") {
		t.Errorf("open window not measured to its account's end:\n%s", b.String())
	}
}
