package pipeline

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/correlate"
	"cloudwall/internal/model"
	"cloudwall/internal/spill"
)

// An actor's reads past the bounds held in memory are kept on disk and
// read back for its change: rita's 200 early reads fill her share of
// memory, the 50 in the half hour before her change go to disk, and
// recon-then-change and her timeline are built from them (before, they
// were dropped: no recon within the half hour, a timeline of nothing
// near). sid's 250 reads, all hours before his change, are read back for
// nothing: no recon-then-change for him.
func TestContextPastBoundsReadBack(t *testing.T) {
	var base map[string]any
	if err := json.Unmarshal([]byte(attackLine(t)), &base); err != nil {
		t.Fatal(err)
	}
	change := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var lines []string
	add := func(c call) { lines = append(lines, callLine(t, base, len(lines)+1, c)) }
	for i := range 250 {
		at := change.Add(-3*time.Hour + time.Duration(i)*30*time.Second) // 200 by 10:40
		if i >= 200 {
			at = change.Add(-25*time.Minute + time.Duration(i-200)*30*time.Second)
		}
		add(call{"111111111111", "rita", "192.0.2.10", "DescribeSecurityGroups", "", 0, at, ""})
		add(call{"111111111111", "sid", "192.0.2.11", "DescribeSecurityGroups", "", 0, change.Add(-6*time.Hour + time.Duration(i)*30*time.Second), ""})
	}
	add(call{"111111111111", "rita", "192.0.2.10", "AuthorizeSecurityGroupIngress", "sg-rita", 5432, change, ""})
	add(call{"111111111111", "sid", "192.0.2.11", "AuthorizeSecurityGroupIngress", "sg-sid", 5432, change, ""})
	// Held in memory, and with the findings spilled (the operations on
	// disk are then read back near the hours of each actor's changes).
	for _, maxHeld := range []int{0, 1} {
		t.Run(fmt.Sprint("max-held ", maxHeld), func(t *testing.T) {
			res := scan(t, []string{trailFiles(t, lines, 1)}, Options{Workers: 1, MaxHeld: maxHeld, Filter: Filter{MinSeverity: model.Info}})
			if (res.Spill != nil) != (maxHeld == 1) {
				t.Fatalf("spilled: %v, at --max-held %d", res.Spill != nil, maxHeld)
			}
			fs := res.Findings
			if res.Spill != nil {
				defer res.Spill.Close()
				if err := res.Spill.Findings(func(f model.Finding) error { fs = append(fs, f); return nil }); err != nil {
					t.Fatal(err)
				}
			}
			checkReadBack(t, res.Summary, fs, change)
		})
	}
}

// checkReadBack checks the findings of TestContextPastBoundsReadBack.
func checkReadBack(t *testing.T, sum model.Summary, fs []model.Finding, change time.Time) {
	t.Helper()

	for _, n := range sum.Notices {
		if strings.Contains(n, "session context") {
			t.Errorf("notice %q: nothing was lost", n)
		}
	}
	var recon []string
	for _, f := range fs {
		if f.Rule == "recon-then-change" {
			recon = append(recon, f.Actor.Name)
			continue
		}
		if slices.Contains(f.Tags, "correlation") {
			continue
		}
		var near int
		for _, e := range f.Timeline {
			if e.Operation == "DescribeSecurityGroups" && !e.Time.Before(change.Add(-25*time.Minute)) {
				near++
			}
		}
		switch f.Actor.Name {
		case "rita":
			// The 20 nearest entries are the reads of the last ten minutes.
			if near != correlate.MaxTimeline {
				t.Errorf("rita's timeline has %d reads of the half hour before the change, want %d: %+v", near, correlate.MaxTimeline, f.Timeline)
			}
		case "sid":
			if len(f.Timeline) != 0 {
				t.Errorf("sid's timeline: %+v, want none (his reads ended hours before)", f.Timeline)
			}
		}
	}
	if !slices.Equal(recon, []string{"rita"}) {
		t.Errorf("recon-then-change for %q, want rita's alone", recon)
	}
}

// Operations past the bounds go to a real temporary file; of those
// within the session window of a finding of their actor, the nearest to
// it are read back, maxContextPerChange, the rest counted; with no
// findings to read them for (near nil) none is read, and all are counted.
func TestContextBufferOnDisk(t *testing.T) {
	b := newContextBuffer(true, 1)
	defer b.close()
	// A small file buffer, so that runs are written and read from disk.
	b.disk = spill.New(16, func(x, y spilledContext) int { return 0 })
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	actor := func(name string) model.Actor {
		return model.Actor{ID: "arn:aws:iam::1:user/" + name, AccessKey: "AKIA" + name}
	}
	for i := range 5000 {
		for _, name := range []string{"a", "b"} {
			ev := model.Event{Cloud: model.AWS, Account: "1", Actor: actor(name), Operation: "DescribeSecurityGroups",
				OperationKey: "ec2:describesecuritygroups", Outcome: model.Success, Time: t0.Add(time.Duration(i) * time.Second)}
			b.add(&ev)
		}
	}
	if !b.disk.Spilled() {
		t.Fatal("nothing was written to disk")
	}
	if want := int64(2 * (5000 - maxContextPerKey)); b.spilled != want {
		t.Fatalf("spilled %d, want %d", b.spilled, want)
	}
	keyA := correlate.ContextKey(model.AWS, "1", actor("a"))
	keyB := correlate.ContextKey(model.AWS, "1", actor("b"))

	// a's change at 01:30 is within the hour of seconds 1800-4999 on
	// disk, of which the nearest 200 (4800-4999) are read back; b has no
	// finding.
	change := t0.Add(90 * time.Minute)
	cx, st := mergeContext([]*contextBuffer{b}, map[string][]time.Time{keyA: {change}})
	if len(cx[keyB]) != 0 {
		t.Errorf("b's operations built: %d, though b has no finding", len(cx[keyB]))
	}
	got := cx[keyA]
	if len(got) != 2*maxContextPerKey {
		t.Fatalf("a has %d operations, want the %d in memory and %d read back", len(got), maxContextPerKey, maxContextPerChange)
	}
	for _, e := range got[maxContextPerKey:] {
		if e.Time.Before(t0.Add(4800*time.Second)) || e.Session != "AKIAa" || e.Class != correlate.ClassRecon {
			t.Fatalf("read back %+v: not among the nearest, or not as kept", e)
		}
	}
	if want := int64(5000 - 1800 - maxContextPerChange); st.cut != want {
		t.Errorf("cut %d, want %d", st.cut, want)
	}
	if len(st.notices()) != 1 || !strings.Contains(st.notices()[0], fmt.Sprint(st.cut)) {
		t.Errorf("notices %q, want one counting the %d cut", st.notices(), st.cut)
	}

	_, st = mergeContext([]*contextBuffer{b}, nil)
	if st.unread != b.spilled || len(st.notices()) != 1 {
		t.Errorf("with no findings: unread %d of %d spilled, notices %q", st.unread, b.spilled, st.notices())
	}
}

// What is read back does not depend on the order the operations come
// in (the workers share the files as they come): the nearest to each
// change, ties broken by content.
func TestReadBackOrderFree(t *testing.T) {
	change := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	key := "aws\x001\x00a"
	var ops []spilledContext
	for i := range 3 * maxContextPerChange {
		// Pairs at the same distance before and after the change.
		d := time.Duration(i/2) * 10 * time.Second
		if i%2 == 1 {
			d = -d
		}
		ops = append(ops, spilledContext{Key: key, Time: change.Add(d), Op: fmt.Sprintf("op-%d", i%7), Class: correlate.ClassRecon, Outcome: "success"})
	}
	read := func(order []spilledContext) []correlate.ContextEvent {
		r := newReadBack(map[string][]time.Time{key: {change}})
		for _, e := range order {
			r.add(e)
		}
		cx := correlate.Context{}
		r.events(cx)
		evs := cx[key]
		slices.SortFunc(evs, func(a, b correlate.ContextEvent) int {
			return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.Operation, b.Operation))
		})
		return evs
	}
	want := read(ops)
	if len(want) != maxContextPerChange {
		t.Fatalf("read back %d, want %d", len(want), maxContextPerChange)
	}
	for _, e := range want {
		if absDur(e.Time.Sub(change)) > time.Duration(maxContextPerChange/2)*10*time.Second {
			t.Fatalf("read back %s, not among the nearest", e.Time)
		}
	}
	reversed := slices.Clone(ops)
	slices.Reverse(reversed)
	if got := read(reversed); !slices.Equal(got, want) {
		t.Errorf("read in reverse: %d operations, not the same as in order", len(got))
	}
}

// changeTimes reads back what lies within the session window of any
// change in the minutes remembered, whatever the second of the change,
// and nothing when a worker remembered too many minutes to say.
func TestChangeTimes(t *testing.T) {
	b := newContextBuffer(true, 1)
	change := time.Date(2026, 3, 1, 10, 59, 0, 0, time.UTC)
	ev := model.Event{Cloud: model.AWS, Account: "1", Actor: model.Actor{ID: "arn:aws:iam::1:user/a"}, Time: change}
	b.change(&ev)
	near := changeTimes([]*contextBuffer{b})
	key := correlate.ContextKey(model.AWS, "1", ev.Actor)
	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{change.Add(-correlate.SessionWindow), true},
		{change.Add(correlate.SessionWindow), true},
		{time.Date(2026, 3, 1, 11, 59, 59, 0, time.UTC), true}, // within the hour of a change at 10:59:59
		{time.Date(2026, 3, 1, 9, 58, 0, 0, time.UTC), false},
		{change.Add(-3 * time.Hour), false},
		{change.Add(3 * time.Hour), false},
	} {
		if got := nearest(near[key], c.at) >= 0; got != c.want {
			t.Errorf("operation at %s near a change at %s: %v, want %v", c.at, change, got, c.want)
		}
	}
	b.changesFull = true
	if changeTimes([]*contextBuffer{b}) != nil {
		t.Error("a worker remembered too many hours, yet changeTimes names some")
	}
}

// Past its share of the disk bound a worker keeps nothing more, and the
// summary counts what it did not keep.
func TestContextDiskBound(t *testing.T) {
	b := newContextBuffer(true, 1)
	defer b.close()
	b.onDisk = 50
	actor := model.Actor{ID: "arn:aws:iam::1:user/a"}
	for i := range maxContextPerKey + 100 {
		ev := model.Event{Cloud: model.AWS, Account: "1", Actor: actor, Operation: "DescribeSecurityGroups",
			OperationKey: "ec2:describesecuritygroups", Outcome: model.Success, Time: time.Unix(int64(i), 0)}
		b.add(&ev)
	}
	cx, st := mergeContext([]*contextBuffer{b}, map[string][]time.Time{correlate.ContextKey(model.AWS, "1", actor): {time.Unix(0, 0)}})
	if got := len(cx[correlate.ContextKey(model.AWS, "1", actor)]); got != maxContextPerKey+50 || st.full != 50 {
		t.Errorf("kept %d, not kept %d; want %d and 50", got, st.full, maxContextPerKey+50)
	}
	if n := st.notices(); len(n) != 1 || !strings.Contains(n[0], "50 operations were not kept") {
		t.Errorf("notices %q", n)
	}
}

// The change minutes a worker remembers are bounded in bytes as well as
// in number: actors with long names stop them (changeTimes then names
// none, and the summary counts what is not read back) before they hold
// more than maxChangeKeyBytes.
func TestChangeKeyBytesBound(t *testing.T) {
	b := newContextBuffer(true, 1)
	long := strings.Repeat("n", 1000)
	n := 0
	for i := 0; !b.changesFull; i++ {
		if i > 2*maxChangeKeyBytes/1000 {
			t.Fatalf("%d actors with 1 KB names remembered (%d bytes of keys), past the bound of %d", i, b.changeBytes, maxChangeKeyBytes)
		}
		ev := model.Event{Cloud: model.AWS, Account: "1", Actor: model.Actor{ID: fmt.Sprintf("arn:aws:iam::1:user/%d%s", i, long)}, Time: time.Unix(0, 0)}
		b.change(&ev)
		n = i
	}
	if n < maxChangeKeyBytes/1100 {
		t.Errorf("stopped after %d actors, before the bound", n)
	}
	if b.changeBytes > maxChangeKeyBytes || b.changes != nil {
		t.Errorf("%d bytes of keys, %d minutes kept past the bound", b.changeBytes, len(b.changes))
	}
	if changeTimes([]*contextBuffer{b}) != nil {
		t.Error("past the bound, yet changeTimes names some")
	}
}
