package audit

import (
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

func TestUndated(t *testing.T) {
	taken := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	mtime := time.Date(2026, 3, 13, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	asOf := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	readAt := time.Date(2026, 3, 21, 0, 0, 0, 0, time.UTC)
	files := map[string]time.Time{"sg.json": mtime, "snap.tar.gz": mtime}
	stat := func(p string) (time.Time, bool) { t, ok := files[p]; return t, ok }
	tests := []struct {
		name   string
		time   time.Time
		file   string
		asOf   time.Time
		want   time.Time
		reason string
	}{
		{"the snapshot says when: kept", taken, "sg.json", asOf, taken, ""},
		{"--as-of given", time.Time{}, "sg.json", asOf, asOf, "this is --as-of"},
		{"file's modification time", time.Time{}, "sg.json", time.Time{}, mtime.UTC(), "modification time of sg.json"},
		{"archive member: the archive's time", time.Time{}, "snap.tar.gz!aws/sg.json", time.Time{}, mtime.UTC(), "modification time of snap.tar.gz"},
		{"stdin: when it was read", time.Time{}, "-", time.Time{}, readAt, "when it was read"},
		{"file gone: when it was read", time.Time{}, "gone.json", time.Time{}, readAt, "when it was read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := model.Finding{Time: tt.time, Event: model.EventRef{File: tt.file}, Reasons: []string{}}
			Undated(&f, tt.asOf, stat, readAt)
			if !f.Time.Equal(tt.want) || f.Time.Location() != time.UTC {
				t.Errorf("time %v, want %v UTC", f.Time, tt.want)
			}
			got := strings.Join(f.Reasons, "\n")
			if tt.reason == "" && got != "" || !strings.Contains(got, tt.reason) {
				t.Errorf("reasons %q, want %q", f.Reasons, tt.reason)
			}
		})
	}
}
