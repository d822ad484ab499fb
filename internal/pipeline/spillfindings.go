package pipeline

import (
	"time"

	"cloudwall/internal/config"
	"cloudwall/internal/model"
	"cloudwall/internal/policy"
	"cloudwall/internal/spill"
)

// NewSpilled returns an empty Spilled for findings judged elsewhere (an
// audit of snapshots): Add ranks them by order, ties in the order added,
// holding at most maxHeld of each kind in memory and the rest in a
// temporary file. Close removes it.
func NewSpilled(maxHeld int, order func(a, b model.Finding) int) *Spilled {
	return &Spilled{shown: spill.New(maxHeld, order), suppressed: spill.New(maxHeld, order), Held: maxHeld}
}

// Add adds a reported finding, or a suppressed one.
func (s *Spilled) Add(f model.Finding, suppressed bool) error {
	if suppressed {
		return s.suppressed.Add(f)
	}
	return s.shown.Add(f)
}

// Suppressor applies cfg's suppressions alone, one finding at a time, for
// audit and diff: approvals are about changes someone made, which a
// snapshot does not record, so they are not applied.
type Suppressor struct{ j *policy.Judge }

// NewSuppressor returns a Suppressor of cfg's suppressions (none for a
// nil cfg) at now.
func NewSuppressor(cfg *config.Config, now time.Time) *Suppressor {
	if cfg == nil {
		return &Suppressor{j: policy.NewJudge(nil, now)}
	}
	return &Suppressor{j: policy.NewJudge(&config.Config{Path: cfg.Path, Suppressions: cfg.Suppressions}, now)}
}

// Judge returns f as shown (tagged when a suppression matched), and
// whether a suppression hides it.
func (s *Suppressor) Judge(f model.Finding) (model.Finding, bool) { return s.j.Judge(f) }

// Notices tell of expired suppressions and ones that matched nothing.
func (s *Suppressor) Notices() []string { return s.j.Notices() }
