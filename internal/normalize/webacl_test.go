package normalize

import (
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

func TestCompareWebACLs(t *testing.T) {
	t0 := time.Date(2025, 11, 8, 20, 0, 0, 0, time.UTC)
	call := func(min int, dist, acl string, failed bool) model.Event {
		ev := model.Event{OperationKey: cloudFrontUpdate, Account: "1", Time: t0.Add(time.Duration(min) * time.Minute),
			Resource: model.Resource{Type: "distribution", ID: dist}, Outcome: model.Success}
		if acl == "" {
			ev.Settings = map[string]string{model.SettingPolicy: ""}
		} else {
			ev.Targets = []string{acl}
		}
		if failed {
			ev.Outcome = model.Failure
		}
		return ev
	}
	tests := []struct {
		name string
		in   []model.Event
		// want lists the replaced calls by position, with the previous web ACL.
		want map[int]string
	}{
		{"same web ACL sent again", []model.Event{call(0, "E1", "A", false), call(5, "E1", "A", false)}, nil},
		{"a different web ACL", []model.Event{call(0, "E1", "A", false), call(5, "E1", "B", false)}, map[int]string{1: "A"}},
		{"order of the input does not matter", []model.Event{call(5, "E1", "B", false), call(0, "E1", "A", false)}, map[int]string{0: "A"}},
		{"first call alone: previous unknown", []model.Event{call(0, "E1", "B", false)}, nil},
		{"re-attached after a detach", []model.Event{call(0, "E1", "A", false), call(1, "E1", "", false), call(2, "E1", "B", false)}, nil},
		{"other distributions are apart", []model.Event{call(0, "E1", "A", false), call(5, "E2", "B", false)}, nil},
		{"a failed swap is an attempt, not the new state", []model.Event{call(0, "E1", "A", false), call(1, "E1", "B", true), call(2, "E1", "A", false)}, map[int]string{1: "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			CompareWebACLs(tt.in)
			for i, ev := range tt.in {
				prev, replaced := tt.want[i]
				got, has := ev.Settings[model.SettingPolicy]
				switch {
				case replaced && (!has || got != ev.Targets[0]):
					t.Errorf("call %d: policy = %q, %v; want the new web ACL %s", i, got, has, ev.Targets[0])
				case replaced && (len(ev.Notes) != 1 || !strings.Contains(ev.Notes[0], "web ACL was "+prev)):
					t.Errorf("call %d: notes %q do not name the previous web ACL %s", i, ev.Notes, prev)
				case !replaced && len(ev.Targets) > 0 && has:
					t.Errorf("call %d: setting web ACL %s reported as a change (policy %q)", i, ev.Targets[0], got)
				}
			}
		})
	}
}
