package jv

import (
	"testing"
	"time"
)

func TestTimeUTC(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2025-03-03T02:20:45Z", true},
		{"2025-03-03T02:20:45.1Z", true},
		{"2025-03-03T02:20:45.123456789Z", true},
		{"2024-02-29T23:59:59Z", true},
		{"2000-02-29T00:00:00Z", true},
		{"0000-02-29T00:00:00Z", true}, // year 0 is a leap year to time
		{"0000-01-01T00:00:00Z", true},
		{"9999-12-31T23:59:59.999999999Z", true},
		{"2025-04-30T00:00:00Z", true},
		{"2025-08-31T00:00:00Z", true},
		{"1900-02-29T00:00:00Z", false},
		{"2023-02-29T00:00:00Z", false},
		{"2025-04-31T00:00:00Z", false},
		{"2025-13-01T00:00:00Z", false},
		{"2025-00-01T00:00:00Z", false},
		{"2025-01-00T00:00:00Z", false},
		{"2025-01-01T24:00:00Z", false},
		{"2025-01-01T00:60:00Z", false},
		{"2025-01-01T00:00:60Z", false},
		{"2025-01-01T00:00:00.1234567891Z", false}, // time.Parse reads it; TimeUTC leaves it
		{"2025-01-01T00:00:00.Z", false},
		{"2025-01-01T00:00:00,5Z", false},
		{"2025-01-01T00:00:00+00:00", false},
		{"2025-01-01t00:00:00Z", false},
		{"2025-01-01 00:00:00Z", false},
		{" 2025-01-01T00:00:00Z", false},
		{"2025-01-01T00:00:00z", false},
		{"+025-01-01T00:00:00Z", false},
		{"2025-1-01T00:00:00Z", false},
		{"", false},
	} {
		got, ok := TimeUTC(tc.in)
		if ok != tc.ok {
			t.Errorf("TimeUTC(%q) ok = %v, want %v", tc.in, ok, tc.ok)
		}
		if ok {
			sameAsParse(t, tc.in, got)
		}
	}
}

// sameAsParse fails unless time.Parse reads s as got, in UTC, to the bit.
func sameAsParse(t *testing.T, s string, got time.Time) {
	t.Helper()
	want, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("TimeUTC(%q) = %v, but time.Parse: %v", s, got, err)
	}
	if want = want.UTC(); got != want || got.Location() != time.UTC {
		t.Fatalf("TimeUTC(%q) = %#v, time.Parse gives %#v", s, got, want)
	}
}

func FuzzTimeUTC(f *testing.F) {
	for _, s := range []string{"2025-03-03T02:20:45Z", "2024-02-29T23:59:59.123Z", "2025-04-31T00:00:00Z", "2025-01-01T00:00:00.1234567891Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, ok := TimeUTC(s); ok {
			sameAsParse(t, s, got)
		}
	})
}
