// Package store is cloudwall's memory: the findings of past scans, the
// first-seen facts the correlations learn from, and a record of each
// scan; and a table of context events, for the live service to correlate
// across the events it is pushed (a scan keeps its context in memory and
// on disk for itself, and does not write them here yet).
//
// One small interface, Store, has two implementations over database/sql:
// SQLite (modernc.org/sqlite, pure Go, WAL, one file per user) and
// PostgreSQL (pgx), for teams that share one history. Both run the same
// versioned migrations and the same statements, and the same test suite.
// Every write is idempotent: findings are upserted by id, facts and events
// inserted once, so scanning the same files twice changes nothing. Writes
// of one call happen in one transaction, so two scans writing at once
// interleave whole calls and never corrupt the store. A later live service
// (push intake, NATS) writes and reads through the same interface.
package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Store keeps cloudwall's history. Implementations are safe for
// concurrent use, also by several processes.
type Store interface {
	// StartScan records the start of a scan run.
	StartScan(ctx context.Context, s Scan) error
	// FinishScan records its end and what it found.
	FinishScan(ctx context.Context, s Scan) error
	// PutFindings upserts findings by id: a new id is inserted with this
	// scan as its first; a known one keeps its first-seen scan and time
	// and gets the new content and last-seen scan.
	PutFindings(ctx context.Context, scanID string, fs []model.Finding) error
	// Finding returns a stored finding by id.
	Finding(ctx context.Context, id string) (StoredFinding, bool, error)
	// CountFindings returns how many findings are stored.
	CountFindings(ctx context.Context) (int64, error)
	// LearnFacts records facts and returns, in order, whether each was
	// new: not in the store before this call. Exactly one of two
	// concurrent callers learning the same fact sees it as new.
	LearnFacts(ctx context.Context, facts []Fact) ([]bool, error)
	// HasHistory reports whether any fact of the account was stored
	// before the given scan.
	HasHistory(ctx context.Context, cloud model.Cloud, account, scanID string) (bool, error)
	// PutEvents stores context events (insert once, by event id).
	PutEvents(ctx context.Context, evs []Event) error
	// Events returns the stored events of one session key between from
	// and to (inclusive), oldest first.
	Events(ctx context.Context, sessionKey string, from, to time.Time) ([]Event, error)
	// Close releases the store.
	Close() error
}

// Scan is one scan run.
type Scan struct {
	ID       string
	Started  time.Time
	Finished time.Time
	// Command is what ran ("scan", "learn").
	Command  string
	Inputs   int64
	Records  int64
	Findings int64
}

// StoredFinding is a finding with its history.
type StoredFinding struct {
	Finding   model.Finding
	FirstScan string
	LastScan  string
	FirstSeen time.Time // when a scan first stored it
	LastSeen  time.Time
}

// Fact is one thing first-seen correlations remember: that Value of Kind
// (a principal, a source /24, a user agent family, an access key, ...)
// changed firewalls in an account.
type Fact struct {
	Cloud   model.Cloud
	Account string
	Kind    string
	Value   string
	// Time is the event time it was first seen; FindingID the finding.
	Time      time.Time
	FindingID string
	ScanID    string
}

// Event is a context event kept for correlations across runs.
type Event struct {
	ID         string // the cloud's event id, or a stable hash
	Cloud      model.Cloud
	Account    string
	SessionKey string // who, as the correlations group calls
	Time       time.Time
	Operation  string
	Outcome    model.Outcome
	Resource   string
	Class      string
}

// ErrNoStore is returned by Open for the spec "none" (also as the value
// of $CLOUDWALL_STORE).
var ErrNoStore = errors.New("no store")

// Open opens the store a spec names: a postgres:// or postgresql:// URL,
// "none", or a file path for SQLite ("" means DefaultPath).
func Open(ctx context.Context, spec string) (Store, error) {
	if spec == "" {
		p, err := DefaultPath()
		if err != nil {
			return nil, err
		}
		spec = p
	}
	switch {
	case spec == "none":
		return nil, ErrNoStore
	case hasPrefixFold(spec, "postgres://"), hasPrefixFold(spec, "postgresql://"):
		// A scheme is case-insensitive (RFC 3986); pgx reads it lower case.
		scheme, rest, _ := strings.Cut(spec, ":")
		return OpenPostgres(ctx, strings.ToLower(scheme)+":"+rest)
	case keywordDSN(spec):
		// Taken as a file name, it would create a SQLite store named
		// after the connection string, password and all.
		return nil, errors.New("store: this looks like a PostgreSQL keyword=value connection string; give a postgres://user:password@host:port/database URL, or a SQLite file path")
	}
	return OpenSQLite(ctx, spec)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// keywordDSN reports whether spec reads as libpq's "host=db user=x
// password=y" form: words joined by spaces, at least one of them a
// connection keyword followed by '='.
func keywordDSN(spec string) bool {
	fields := strings.Fields(spec)
	if len(fields) < 2 {
		return false
	}
	for _, f := range fields {
		k, _, ok := strings.Cut(f, "=")
		switch strings.ToLower(k) {
		case "host", "hostaddr", "port", "dbname", "user", "password", "sslmode", "connect_timeout":
			if ok {
				return true
			}
		}
	}
	return false
}

// NewScanID returns a unique id for a scan run.
func NewScanID(now time.Time) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// DefaultPath is the per-user store: $CLOUDWALL_STORE when set (a path,
// a postgres:// URL, or "none"),
// else $XDG_DATA_HOME/cloudwall/cloudwall.db, else
// ~/.local/share/cloudwall/cloudwall.db on Unix and the user
// configuration folder elsewhere.
func DefaultPath() (string, error) {
	if p := os.Getenv("CLOUDWALL_STORE"); p != "" {
		return p, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "cloudwall", "cloudwall.db"), nil
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("store: no home folder for the default store (use --store PATH or --no-store): %w", err)
		}
		return filepath.Join(home, ".local", "share", "cloudwall", "cloudwall.db"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("store: no folder for the default store (use --store PATH or --no-store): %w", err)
	}
	return filepath.Join(d, "cloudwall", "cloudwall.db"), nil
}
