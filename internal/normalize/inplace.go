package normalize

import (
	"sync"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/aws"
	"cloudwall/internal/normalize/azure"
	"cloudwall/internal/normalize/gcp"
	"cloudwall/internal/normalize/jv"
)

var raws = sync.Pool{New: func() any { return new(jv.Raw) }}

// parseInPlace reads a record the prefilter kept only as context without
// decoding it into maps (see jv.Raw), when it is a plain CloudTrail
// record, GCP LogEntry or Activity Log record: such records are most of
// what correlations add to a scan. ok is false for anything else, which
// Parse then decodes lean as before.
// TestInPlaceSameAsDecoded and FuzzParse hold the two readings together.
func parseInPlace(dst []model.Event, raw []byte, src model.SourceRef) (Result, bool) {
	r := raws.Get().(*jv.Raw)
	defer func() {
		r.Release()
		raws.Put(r)
	}()
	rec, ok := r.Index(raw, contextBodies)
	if !ok {
		return Result{}, false
	}
	// The clouds are told apart in dispatch's order, each asked of the
	// record boxed once (rec.Any).
	events := append(dst[:0], model.Event{})
	node := rec.Any()
	switch {
	case aws.Detect(node):
		ok = aws.ParseInPlace(&events[0], rec, src)
	case azureFlow(node):
		ok = false // dispatch: Unrecognised
	case gcp.Detect(node):
		ok = gcp.ParseInPlace(&events[0], rec, src)
	case azure.Detect(node):
		ok = azure.ParseInPlace(&events[0], rec, src)
	default:
		ok = false
	}
	if !ok {
		return Result{}, false
	}
	finish(events)
	return Result{Kind: Parsed, Events: events}, true
}
