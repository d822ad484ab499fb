package normalize

import (
	"sync"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/aws"
	"cloudwall/internal/normalize/azure"
	"cloudwall/internal/normalize/jv"
)

var raws = sync.Pool{New: func() any { return new(jv.Raw) }}

// parseInPlace reads a record the prefilter kept only as context without
// decoding it into maps (see jv.Raw), when it is a plain CloudTrail or
// Activity Log record: such records are most of what correlations add to
// a scan. ok is false for anything else, which Parse then decodes lean as
// before.
// TestInPlaceSameAsDecoded and FuzzParse hold the two readings together.
func parseInPlace(raw []byte, src model.SourceRef) (Result, bool) {
	r := raws.Get().(*jv.Raw)
	defer func() {
		r.Release()
		raws.Put(r)
	}()
	rec, ok := r.Index(raw, contextBodies)
	if !ok {
		return Result{}, false
	}
	// The clouds are told apart in dispatch's order.
	events := make([]model.Event, 1)
	switch {
	case aws.Detect(rec):
		ok = aws.ParseInPlace(&events[0], rec, src)
	case azureFlow(rec), gcpKeys(rec):
		ok = false
	case azure.Detect(rec):
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

// gcpKeys reports whether rec has a key gcp.Detect looks for (up to case,
// which is more than it reads): a record gcp.Detect might take, which
// dispatch asks before azure.Detect, is decoded instead.
func gcpKeys(rec jv.Object) bool {
	return jv.HasAny(rec, "protoPayload", "protopayload_auditlog", "subscription", "receivedMessages", "integration", "rule")
}
