package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// migrations are the schema versions, applied in order, each once. Never
// edit one that has shipped: add the next. Times are Unix nanoseconds
// (BIGINT) and findings JSON text, so both databases read the same.
var migrations = []string{
	// 1: scans, findings, facts, events.
	`CREATE TABLE scans (
		id TEXT PRIMARY KEY,
		command TEXT NOT NULL,
		started BIGINT NOT NULL,
		finished BIGINT NOT NULL DEFAULT 0,
		inputs BIGINT NOT NULL DEFAULT 0,
		records BIGINT NOT NULL DEFAULT 0,
		findings BIGINT NOT NULL DEFAULT 0
	);
	CREATE TABLE findings (
		id TEXT PRIMARY KEY,
		rule TEXT NOT NULL,
		severity TEXT NOT NULL,
		cloud TEXT NOT NULL,
		account TEXT NOT NULL,
		event_time BIGINT NOT NULL,
		first_scan TEXT NOT NULL,
		last_scan TEXT NOT NULL,
		first_seen BIGINT NOT NULL,
		last_seen BIGINT NOT NULL,
		data TEXT NOT NULL
	);
	CREATE INDEX findings_account ON findings (cloud, account, event_time);
	CREATE TABLE facts (
		cloud TEXT NOT NULL,
		account TEXT NOT NULL,
		kind TEXT NOT NULL,
		value TEXT NOT NULL,
		first_time BIGINT NOT NULL,
		finding_id TEXT NOT NULL,
		scan_id TEXT NOT NULL,
		PRIMARY KEY (cloud, account, kind, value)
	);
	CREATE INDEX facts_scan ON facts (cloud, account, scan_id);
	CREATE TABLE events (
		id TEXT PRIMARY KEY,
		cloud TEXT NOT NULL,
		account TEXT NOT NULL,
		session_key TEXT NOT NULL,
		event_time BIGINT NOT NULL,
		operation TEXT NOT NULL,
		outcome TEXT NOT NULL,
		resource TEXT NOT NULL,
		class TEXT NOT NULL
	);
	CREATE INDEX events_session ON events (session_key, event_time);`,
}

// dialect holds what differs between the databases.
type dialect struct {
	name string
	// numbered placeholders ($1) instead of ?.
	numbered bool
	// lockMigrations serialises migrations across processes, inside tx.
	lockMigrations func(ctx context.Context, tx *sql.Tx) error
}

// sqlStore implements Store over database/sql.
type sqlStore struct {
	db *sql.DB
	d  dialect
}

func (s *sqlStore) q(query string) string {
	if !s.d.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// migrate applies the migrations the database lacks.
func (s *sqlStore) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	if s.d.lockMigrations != nil {
		if err := s.d.lockMigrations(ctx, tx); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("store: schema version %d is newer than this cloudwall knows (%d): upgrade cloudwall", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		for _, stmt := range strings.Split(migrations[v-1], ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: migration %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`), v, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
	}
	return tx.Commit()
}

// SchemaVersion returns the applied schema version (for tests and tools).
func SchemaVersion(ctx context.Context, st Store) (int, error) {
	s, ok := st.(*sqlStore)
	if !ok {
		return 0, errors.New("store: not a SQL store")
	}
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

func (s *sqlStore) Close() error { return s.db.Close() }

// tx runs fn in one transaction.
func (s *sqlStore) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *sqlStore) StartScan(ctx context.Context, sc Scan) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO scans (id, command, started) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`),
		sc.ID, sc.Command, sc.Started.UnixNano())
	if err != nil {
		return fmt.Errorf("store: start scan: %w", err)
	}
	return nil
}

func (s *sqlStore) FinishScan(ctx context.Context, sc Scan) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE scans SET finished = ?, inputs = ?, records = ?, findings = ? WHERE id = ?`),
		sc.Finished.UnixNano(), sc.Inputs, sc.Records, sc.Findings, sc.ID)
	if err != nil {
		return fmt.Errorf("store: finish scan: %w", err)
	}
	return nil
}

func (s *sqlStore) PutFindings(ctx context.Context, scanID string, fs []model.Finding) error {
	now := time.Now().UnixNano()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, s.q(`INSERT INTO findings
			(id, rule, severity, cloud, account, event_time, first_scan, last_scan, first_seen, last_seen, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`))
		if err != nil {
			return err
		}
		defer ins.Close()
		old, err := tx.PrepareContext(ctx, s.q(`SELECT data FROM findings WHERE id = ?`))
		if err != nil {
			return err
		}
		defer old.Close()
		upd, err := tx.PrepareContext(ctx, s.q(`UPDATE findings SET rule = ?, severity = ?, data = ?, last_scan = ?, last_seen = ? WHERE id = ?`))
		if err != nil {
			return err
		}
		defer upd.Close()
		// One order for every writer, so two PostgreSQL transactions
		// upserting the same ids cannot deadlock.
		order := make([]int, len(fs))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(fs[a].ID, fs[b].ID) })
		for _, i := range order {
			f := &fs[i]
			data, err := json.Marshal(f)
			if err != nil {
				return err
			}
			res, err := ins.ExecContext(ctx, f.ID, f.Rule, f.Severity.String(), string(f.Cloud), f.Account, f.Time.UnixNano(),
				scanID, scanID, now, now, string(data))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err == nil && n == 1 {
				continue
			}
			var prev string
			if err := old.QueryRowContext(ctx, f.ID).Scan(&prev); err != nil {
				return err
			}
			if data, err = json.Marshal(keepHistory(prev, *f)); err != nil {
				return err
			}
			if _, err := upd.ExecContext(ctx, f.Rule, f.Severity.String(), string(data), scanID, now, f.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: put findings: %w", err)
	}
	return nil
}

// keepHistory is f as a later scan stores it over the stored JSON prev:
// what only the first scan could know stays. A change's first sightings
// (first_seen) are reported once, so a rescan of the same files finds
// none; the links to correlations stored before stay too, with the tags
// that name them. Without it, a rescan erased them and left the stored
// first-seen finding pointing at a member that no longer pointed back.
func keepHistory(prev string, f model.Finding) model.Finding {
	var p model.Finding
	if json.Unmarshal([]byte(prev), &p) != nil {
		return f
	}
	if len(f.FirstSeen) == 0 {
		f.FirstSeen = p.FirstSeen
	}
	for _, r := range p.Related {
		if slices.ContainsFunc(f.Related, func(x model.Related) bool { return x.ID == r.ID }) {
			continue
		}
		f.Related = append(slices.Clip(f.Related), r)
		if r.Correlation != "" && slices.Contains(p.Tags, r.Correlation) && !slices.Contains(f.Tags, r.Correlation) {
			f.Tags = append(slices.Clip(f.Tags), r.Correlation)
		}
	}
	return f
}

func (s *sqlStore) Finding(ctx context.Context, id string) (StoredFinding, bool, error) {
	var sf StoredFinding
	var data string
	var first, last int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT data, first_scan, last_scan, first_seen, last_seen FROM findings WHERE id = ?`), id).
		Scan(&data, &sf.FirstScan, &sf.LastScan, &first, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return sf, false, nil
	}
	if err != nil {
		return sf, false, fmt.Errorf("store: finding %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(data), &sf.Finding); err != nil {
		return sf, false, fmt.Errorf("store: finding %s: %w", id, err)
	}
	sf.FirstSeen, sf.LastSeen = time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
	return sf, true, nil
}

func (s *sqlStore) CountFindings(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM findings`).Scan(&n)
	return n, err
}

func (s *sqlStore) LearnFacts(ctx context.Context, facts []Fact) ([]bool, error) {
	isNew := make([]bool, len(facts))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, s.q(`INSERT INTO facts (cloud, account, kind, value, first_time, finding_id, scan_id)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cloud, account, kind, value) DO NOTHING`))
		if err != nil {
			return err
		}
		defer ins.Close()
		// An older sighting (learn run over older logs) moves first_time back.
		older, err := tx.PrepareContext(ctx, s.q(`UPDATE facts SET first_time = ?, finding_id = ?
			WHERE cloud = ? AND account = ? AND kind = ? AND value = ? AND first_time > ?`))
		if err != nil {
			return err
		}
		defer older.Close()
		order := make([]int, len(facts))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			x, y := facts[a], facts[b]
			return cmp.Or(strings.Compare(string(x.Cloud), string(y.Cloud)), strings.Compare(x.Account, y.Account),
				strings.Compare(x.Kind, y.Kind), strings.Compare(x.Value, y.Value))
		})
		for _, i := range order {
			f := facts[i]
			res, err := ins.ExecContext(ctx, string(f.Cloud), f.Account, f.Kind, f.Value, f.Time.UnixNano(), f.FindingID, f.ScanID)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			isNew[i] = n == 1
			if !isNew[i] {
				if _, err := older.ExecContext(ctx, f.Time.UnixNano(), f.FindingID, string(f.Cloud), f.Account, f.Kind, f.Value, f.Time.UnixNano()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: learn facts: %w", err)
	}
	return isNew, nil
}

func (s *sqlStore) HasHistory(ctx context.Context, cloud model.Cloud, account, scanID string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM (SELECT 1 FROM facts WHERE cloud = ? AND account = ? AND scan_id <> ? LIMIT 1) AS x`),
		string(cloud), account, scanID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: history: %w", err)
	}
	return n > 0, nil
}

func (s *sqlStore) PutEvents(ctx context.Context, evs []Event) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO events (id, cloud, account, session_key, event_time, operation, outcome, resource, class)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`))
		if err != nil {
			return err
		}
		defer stmt.Close()
		evs = slices.Clone(evs)
		slices.SortFunc(evs, func(a, b Event) int { return strings.Compare(a.ID, b.ID) })
		for _, e := range evs {
			if _, err := stmt.ExecContext(ctx, e.ID, string(e.Cloud), e.Account, e.SessionKey, e.Time.UnixNano(), e.Operation, string(e.Outcome), e.Resource, e.Class); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: put events: %w", err)
	}
	return nil
}

func (s *sqlStore) Events(ctx context.Context, key string, from, to time.Time) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, cloud, account, session_key, event_time, operation, outcome, resource, class
		FROM events WHERE session_key = ? AND event_time >= ? AND event_time <= ? ORDER BY event_time, id`),
		key, from.UnixNano(), to.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var cloud, outcome string
		var t int64
		if err := rows.Scan(&e.ID, &cloud, &e.Account, &e.SessionKey, &t, &e.Operation, &outcome, &e.Resource, &e.Class); err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		e.Cloud, e.Outcome, e.Time = model.Cloud(cloud), model.Outcome(outcome), time.Unix(0, t).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
