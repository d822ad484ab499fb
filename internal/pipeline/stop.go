package pipeline

import (
	"context"
	"errors"
	"sync"
	"time"

	"cloudwall/internal/model"
)

// StopGrace is how long a cancelled scan waits for its workers to finish
// the records in hand before it abandons them. Reads check the context,
// so a worker normally returns within one buffer; one blocked in a system
// call (opening a FIFO that has no writer, reading a terminal) never
// does, and the scan returns without it.
var StopGrace = 300 * time.Millisecond

// collect passes every event to add until the workers are done, and
// reports whether ctx stopped the scan first. After a stop it keeps
// taking events for StopGrace, so what the workers had in hand is kept.
func collect(ctx context.Context, events <-chan model.Event, add func(model.Event)) (interrupted bool) {
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return ctx.Err() != nil
			}
			add(ev)
		case <-ctx.Done():
			grace := time.NewTimer(StopGrace)
			defer grace.Stop()
			for {
				select {
				case ev, ok := <-events:
					if !ok {
						return true
					}
					add(ev)
				case <-grace.C:
					return true
				}
			}
		}
	}
}

// send passes ev to the collector, or drops it once the scan is stopped
// (nobody may be collecting any more).
func (w *worker) send(ev model.Event) {
	select {
	case w.events <- ev:
	case <-w.done:
	}
}

// tally is the scan's counters, added to once per input so that an
// abandoned worker never races with the summary.
type tally struct {
	mu     sync.Mutex
	sum    model.Summary
	closed bool
}

// flush moves the current input's counts to the tally and resets them.
func (w *worker) flush() {
	w.tally.mu.Lock()
	if !w.tally.closed {
		w.c.addTo(&w.tally.sum)
	}
	w.tally.mu.Unlock()
	*w.c = counters{}
}

// close returns the counts so far; later flushes are ignored.
func (t *tally) close() model.Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	return t.sum
}

// stopEvery is how many items a stage after reading handles between two
// looks at the context: a look is cheap, but not free in a loop over
// every event.
const stopEvery = 64

// StopBudget is how long the stages after reading (fold and sort on
// disk, detection, state replay, correlations, ranking) go on once they
// see a stop: a scan of a few thousand operations still judges all it
// read, a large one returns what it had ranked by then.
var StopBudget = 500 * time.Millisecond

// errStopped ends a stage after reading when the scan is stopped.
var errStopped = errors.New("scan stopped")

// stopper lets the loops after reading notice a stop. Reading ends early,
// and a stop sent after it (or during it) must not wait tens of seconds
// for the rest of the scan.
type stopper struct {
	ctx  context.Context
	n    int
	seen time.Time // when a look first saw the stop
	over bool      // StopBudget has run out: every later check fails
}

// check returns errStopped once StopBudget has passed since a look saw
// ctx done, looking every stopEvery calls.
func (s *stopper) check() error {
	if s.over {
		return errStopped
	}
	s.n++
	if s.n%stopEvery != 0 || s.ctx.Err() == nil {
		return nil
	}
	if s.seen.IsZero() {
		s.seen = time.Now()
	}
	if time.Since(s.seen) < StopBudget {
		return nil
	}
	s.over = true
	return errStopped
}
