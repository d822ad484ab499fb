package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/store"
)

// stopOnPut is a store whose second PutFindings call is the moment the
// user stops the scan: it cancels the scan's context and fails as a
// store cut short by it does.
type stopOnPut struct {
	store.Store
	cancel context.CancelFunc
	puts   int
}

func (s *stopOnPut) PutFindings(ctx context.Context, id string, fs []model.Finding) error {
	s.puts++
	if s.puts == 2 {
		s.cancel()
	}
	return s.Store.PutFindings(ctx, id, fs)
}

// TestStopWhileStoring: a stop (Ctrl-C, SIGTERM) while the findings are
// written to the store still reports every finding, says the scan was
// interrupted and how many findings the store got, and leaves the store
// usable: the same scan run again completes. It returned an error and
// reported nothing ("store: put findings: context canceled").
func TestStopWhileStoring(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 30 {
		lines = append(lines, strings.Replace(attackLine(t), `"eventID":"`, `"eventID":"`+string(rune('a'+i%26))+strings.Repeat("x", i/26), 1))
	}
	if err := os.WriteFile(filepath.Join(dir, "trail.json"), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, maxHeld := range []int{0, 5} { // in memory (one write), on disk (batches of 5)
		st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "cw.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ctx, cancel := context.WithCancel(context.Background())
		stopper := &stopOnPut{Store: st, cancel: cancel}
		if maxHeld == 0 {
			stopper.puts = 1 // the one write is the stop
		}
		c, err := content.Default()
		if err != nil {
			t.Fatal(err)
		}
		inputs, err := ingest.Expand(context.Background(), []string{dir}, strings.NewReader(""))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Scan(ctx, inputs, Options{Content: c, Store: stopper, MaxHeld: maxHeld, NoCorrelate: true, Filter: Filter{MinSeverity: model.Info}})
		cancel()
		if err != nil {
			t.Fatalf("max-held %d: stopped while storing: error %v, want the findings reported", maxHeld, err)
		}
		var n int
		if err := res.EachFinding(func(model.Finding) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if spilled := res.Spill != nil; spilled != (maxHeld > 0) {
			t.Errorf("max-held %d: spilled %v", maxHeld, spilled)
		}
		res.Close()
		if n == 0 || !res.Summary.Interrupted {
			t.Errorf("max-held %d: %d findings, interrupted %v; want them all, interrupted", maxHeld, n, res.Summary.Interrupted)
		}
		if !strings.Contains(strings.Join(res.Summary.Notices, "\n"), "interrupted while its findings were written to the store") {
			t.Errorf("max-held %d: notices %q", maxHeld, res.Summary.Notices)
		}
		again, err := Scan(context.Background(), inputs, Options{Content: c, Store: st, MaxHeld: maxHeld, NoCorrelate: true, Filter: Filter{MinSeverity: model.Info}})
		if err != nil || again.Summary.Interrupted {
			t.Fatalf("max-held %d: rescan: %v, interrupted %v", maxHeld, err, again.Summary.Interrupted)
		}
		again.Close()
		if stored, err := st.CountFindings(context.Background()); err != nil || stored != int64(n) {
			t.Errorf("max-held %d: store holds %d findings after the rescan (%v), want %d", maxHeld, stored, err, n)
		}
	}
}
