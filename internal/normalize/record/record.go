// Package record holds what the per-cloud parsers and the dispatcher that
// calls them share: the skip signal for records that are recognised but
// are not API calls.
package record

// SkipError says a record was recognised and deliberately not turned into
// an event (a CloudTrail digest or Insights record). It is counted as
// skipped, not as unreadable.
type SkipError struct {
	Reason string
}

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skip returns a *SkipError with the reason.
func Skip(reason string) error { return &SkipError{Reason: reason} }
