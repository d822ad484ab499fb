package testutil

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// PeakLiveHeap runs fn and returns the most the live heap grew above
// what it was before, sampled every 200µs while fn runs: what a memory
// test compares between two settings of the same work.
func PeakLiveHeap(fn func()) uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	base, top := s[0].Value.Uint64(), uint64(0)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			top = max(top, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	fn()
	close(done)
	<-finished
	return top - min(base, top)
}
