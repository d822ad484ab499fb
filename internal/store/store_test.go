package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// postgresEnv names the DSN of a PostgreSQL server the tests may use;
// .ci/run starts one and sets it.
const postgresEnv = "CLOUDWALL_TEST_POSTGRES"

// backend opens fresh, empty stores of one kind; every call to open
// returns a new handle on the same database (as a second process would).
type backend struct {
	name string
	open func(t *testing.T) Store
}

// backends returns SQLite and, when reachable, PostgreSQL. In CI an
// unreachable PostgreSQL fails the tests; elsewhere it is skipped, saying so.
func backends(t *testing.T) []backend {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "cloudwall.db")
	out := []backend{{"sqlite", func(t *testing.T) Store {
		s, err := OpenSQLite(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}}}
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is not: .ci/run must start PostgreSQL and export it", postgresEnv)
		}
		t.Logf("PostgreSQL store tests skipped: set %s=postgres://user:pass@host/db to run them", postgresEnv)
		return out
	}
	schemaDSN, err := freshSchema(t, dsn)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s unreachable in CI: %v", postgresEnv, err)
		}
		t.Logf("PostgreSQL store tests skipped: %s is set but the server is unreachable: %v", postgresEnv, err)
		return out
	}
	return append(out, backend{"postgres", func(t *testing.T) Store {
		s, err := OpenPostgres(context.Background(), schemaDSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}})
}

// freshSchema creates an empty schema for one test and returns a DSN
// whose search_path points at it; the schema is dropped afterwards.
func freshSchema(t *testing.T, dsn string) (string, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "cw_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", err
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func each(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

func finding(id string, sev model.Severity) model.Finding {
	return model.Finding{ID: id, Rule: "aws-sg-ingress-change", Severity: sev, Cloud: model.AWS, Account: "111122223333",
		Time: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC), Title: "Security group " + id + " opened",
		Actor: model.Actor{ID: "arn:aws:iam::111122223333:user/alice"}, Reasons: []string{"r"}}
}

func TestMigrations(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		v, err := SchemaVersion(ctx, s)
		if err != nil || v != len(migrations) {
			t.Fatalf("version %d, %v; want %d", v, err, len(migrations))
		}
		// Opening again applies nothing and keeps the data.
		if err := s.PutFindings(ctx, "scan-1", []model.Finding{finding("f1", model.High)}); err != nil {
			t.Fatal(err)
		}
		s2 := b.open(t)
		if n, _ := s2.CountFindings(ctx); n != 1 {
			t.Errorf("reopened store has %d findings", n)
		}
		// A schema newer than this binary is refused, not guessed at.
		db := s.(*sqlStore)
		if _, err := db.db.ExecContext(ctx, db.q(`INSERT INTO schema_migrations (version, applied) VALUES (?, 0)`), len(migrations)+1); err != nil {
			t.Fatal(err)
		}
		if err := db.migrate(ctx); err == nil {
			t.Error("a newer schema was accepted")
		}
	})
}

// TestFindingsIdempotent: writing the same findings twice changes nothing
// but the last-seen scan.
func TestFindingsIdempotent(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		fs := []model.Finding{finding("a", model.High), finding("b", model.Low)}
		for _, scan := range []string{"scan-1", "scan-2"} {
			if err := s.PutFindings(ctx, scan, fs); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.CountFindings(ctx); err != nil || n != 2 {
			t.Fatalf("%d findings, %v", n, err)
		}
		got, ok, err := s.Finding(ctx, "a")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if got.FirstScan != "scan-1" || got.LastScan != "scan-2" || got.Finding.Title != fs[0].Title || got.Finding.Severity != model.High ||
			!got.Finding.Time.Equal(fs[0].Time) {
			t.Errorf("stored %+v", got)
		}
		if _, ok, _ := s.Finding(ctx, "missing"); ok {
			t.Error("found a finding never stored")
		}
	})
}

// TestFindingsKeepHistory: a later scan of the same finding (the same
// files again) refreshes it but keeps what only the first scan knew: its
// first sightings, which are reported once, and its links to the
// correlations stored with it.
func TestFindingsKeepHistory(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		first := finding("a", model.Critical)
		first.FirstSeen = []model.FirstSeen{{Kind: "actor", Value: "arn:aws:iam::1:user/zed"}}
		first.Related = []model.Related{{ID: "fs1", Correlation: "first-seen-actor"}}
		first.Tags = []string{"first-seen-actor"}
		again := finding("a", model.Critical)
		again.Title = "refreshed"
		again.Related = []model.Related{{ID: "mc1", Correlation: "mass-change"}}
		again.Tags = []string{"mass-change"}
		if err := s.PutFindings(ctx, "scan-1", []model.Finding{first}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutFindings(ctx, "scan-2", []model.Finding{again}); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Finding(ctx, "a")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		f := got.Finding
		if f.Title != "refreshed" || got.FirstScan != "scan-1" || got.LastScan != "scan-2" {
			t.Errorf("not refreshed: %+v", got)
		}
		if len(f.FirstSeen) != 1 || f.FirstSeen[0].Kind != "actor" {
			t.Errorf("first sightings lost: %+v", f.FirstSeen)
		}
		if len(f.Related) != 2 || !slices.Contains(f.Tags, "first-seen-actor") || !slices.Contains(f.Tags, "mass-change") {
			t.Errorf("links lost: related %+v, tags %v", f.Related, f.Tags)
		}
		if len(again.Related) != 1 || len(again.Tags) != 1 {
			t.Errorf("the caller's finding was changed: %+v", again)
		}
	})
}

func TestFacts(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		t0 := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
		f := Fact{Cloud: model.AWS, Account: "1", Kind: "principal", Value: "alice", Time: t0, FindingID: "x", ScanID: "scan-1"}
		other := f
		other.Account = "2"
		isNew, err := s.LearnFacts(ctx, []Fact{f, other, f})
		if err != nil {
			t.Fatal(err)
		}
		if !isNew[0] || !isNew[1] || isNew[2] {
			t.Errorf("first learning: %v, want [true true false] (the same fact twice is new once)", isNew)
		}
		f.ScanID = "scan-2"
		if isNew, _ := s.LearnFacts(ctx, []Fact{f}); isNew[0] {
			t.Error("a known fact is new again")
		}
		if h, err := s.HasHistory(ctx, model.AWS, "1", "scan-1"); err != nil || h {
			t.Errorf("history before scan-1: %v %v", h, err)
		}
		if h, _ := s.HasHistory(ctx, model.AWS, "1", "scan-2"); !h {
			t.Error("no history before scan-2")
		}
		if h, _ := s.HasHistory(ctx, model.GCP, "1", "scan-2"); h {
			t.Error("history leaks across clouds")
		}
	})
}

func TestEvents(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		t0 := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
		evs := []Event{
			{ID: "e2", Cloud: model.AWS, Account: "1", SessionKey: "k", Time: t0.Add(time.Minute), Operation: "CreateAccessKey", Outcome: model.Success, Class: "credentials"},
			{ID: "e1", Cloud: model.AWS, Account: "1", SessionKey: "k", Time: t0, Operation: "DescribeSecurityGroups", Outcome: model.Success, Class: "recon"},
			{ID: "e3", Cloud: model.AWS, Account: "1", SessionKey: "other", Time: t0, Operation: "RunInstances"},
			{ID: "e4", Cloud: model.AWS, Account: "1", SessionKey: "k", Time: t0.Add(3 * time.Hour), Operation: "StopLogging"},
		}
		for range 2 {
			if err := s.PutEvents(ctx, evs); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Events(ctx, "k", t0, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "e1" || got[1].ID != "e2" || got[1].Class != "credentials" || !got[0].Time.Equal(t0) {
			t.Errorf("events = %+v", got)
		}
	})
}

// TestConcurrentWriters: two scans writing the same store at once (two
// handles, as two processes would have) both succeed and leave it whole.
func TestConcurrentWriters(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		stores := []Store{b.open(t), b.open(t)}
		const rounds, per = 15, 40
		var wg sync.WaitGroup
		errs := make(chan error, 2*rounds*2)
		newFacts := make([]int, 2)
		for w, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					var fs []model.Finding
					var facts []Fact
					for i := range per {
						// Half the ids are shared between the writers.
						id := fmt.Sprintf("w%d-%d-%d", w, r, i)
						if i%2 == 0 {
							id = fmt.Sprintf("shared-%d-%d", r, i)
						}
						fs = append(fs, finding(id, model.Medium))
						facts = append(facts, Fact{Cloud: model.AWS, Account: "1", Kind: "principal", Value: fmt.Sprintf("p-%d-%d", r, i%10), ScanID: fmt.Sprintf("scan-%d", w)})
					}
					if err := s.PutFindings(ctx, fmt.Sprintf("scan-%d", w), fs); err != nil {
						errs <- err
						return
					}
					isNew, err := s.LearnFacts(ctx, facts)
					if err != nil {
						errs <- err
						return
					}
					for _, n := range isNew {
						if n {
							newFacts[w]++
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n, err := stores[0].CountFindings(ctx)
		if want := int64(rounds * (per/2 + 2*per/2)); err != nil || n != want {
			t.Errorf("%d findings, %v; want %d", n, err, want)
		}
		if total := newFacts[0] + newFacts[1]; total != rounds*10 {
			t.Errorf("%d facts seen as new in total, want %d: each exactly once", total, rounds*10)
		}
		if b.name == "sqlite" {
			var ok string
			if err := stores[0].(*sqlStore).db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
				t.Errorf("integrity_check: %q %v", ok, err)
			}
		}
	})
}

func TestOpenSpecs(t *testing.T) {
	t.Setenv("CLOUDWALL_STORE", "")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	if p, _ := DefaultPath(); p != "/xdg/cloudwall/cloudwall.db" {
		t.Errorf("default path %q", p)
	}
	t.Setenv("CLOUDWALL_STORE", "/explicit.db")
	if p, _ := DefaultPath(); p != "/explicit.db" {
		t.Errorf("CLOUDWALL_STORE ignored: %q", p)
	}
	path := filepath.Join(t.TempDir(), "sub", "x.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("store file not created: %v", err)
	}
	if _, err := Open(context.Background(), "postgres://nobody:x@127.0.0.1:1/none?connect_timeout=2"); err == nil {
		t.Error("unreachable postgres opened")
	}
}

// TestOpenSpecPaths: a SQLite path is the file it names, whatever
// characters it holds ('?', '#' and '%' are URI syntax to SQLite), and a
// PostgreSQL keyword=value string is refused rather than made a file
// named after it, password and all.
func TestOpenSpecPaths(t *testing.T) {
	dir := t.TempDir()
	names := []string{"a#b.db", "c?mode=memory.db", "50%.db", "50%25.db"}
	for _, name := range names {
		s, err := Open(context.Background(), filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		s.Close()
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		base := strings.TrimSuffix(strings.TrimSuffix(e.Name(), "-wal"), "-shm")
		if !slices.Contains(names, base) {
			t.Errorf("file %q: the store is not the file its path names", e.Name())
		}
	}
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: not created under its name: %v", name, err)
		}
	}
	kw := filepath.Join(dir, "host=127.0.0.1 user=cw password=SECRET dbname=cw")
	if _, err := Open(context.Background(), kw); err == nil || !strings.Contains(err.Error(), "postgres://") || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("keyword=value string: %v", err)
	}
	if _, err := os.Stat(kw); err == nil {
		t.Error("a keyword=value string became a SQLite file")
	}
}
