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

// Suppressor is Suppress one finding at a time, for findings that are
// not held all at once.
type Suppressor struct{ j *policy.Judge }

// NewSuppressor returns a Suppressor of cfg's suppressions (none for a
// nil cfg) at now.
func NewSuppressor(cfg *config.Config, now time.Time) *Suppressor {
	if cfg == nil {
		return &Suppressor{j: policy.NewJudge(nil, now)}
	}
	return &Suppressor{j: policy.NewJudge(&config.Config{Path: cfg.Path, Suppressions: cfg.Suppressions}, now)}
}

// Judge returns f as Suppress shows it, and whether a suppression hides
// it.
func (s *Suppressor) Judge(f model.Finding) (model.Finding, bool) { return s.j.Judge(f) }

// Notices are Suppress's notices about the findings judged.
func (s *Suppressor) Notices() []string { return s.j.Notices() }
