package pipeline

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make a schema per test

	"cloudwall/internal/store"
)

// testStores opens an empty SQLite store and, when CLOUDWALL_TEST_POSTGRES
// names a server (as .ci/run exports it), an empty PostgreSQL schema; in CI
// an unreachable server fails, elsewhere it is skipped with a message, as
// the store package's own suite does.
func testStores(t *testing.T) map[string]store.Store {
	t.Helper()
	ctx := context.Background()
	out := map[string]store.Store{}
	lite, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	out["sqlite"] = lite
	dsn := os.Getenv("CLOUDWALL_TEST_POSTGRES")
	fail := func(format string, args ...any) {
		if os.Getenv("CI") != "" {
			t.Fatalf(format, args...)
		}
		t.Logf("PostgreSQL skipped: "+format, args...)
	}
	if dsn == "" {
		fail("set CLOUDWALL_TEST_POSTGRES=postgres://user:pass@host/db to run the scans on PostgreSQL too")
		return out
	}
	db, err := sql.Open("pgx", dsn)
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		fail("CLOUDWALL_TEST_POSTGRES unreachable: %v", err)
		return out
	}
	t.Cleanup(func() { db.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "cw_pipeline_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	pg, err := store.OpenPostgres(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	out["postgres"] = pg
	return out
}

// TestScanTwiceWithStore: on each store, after a baseline, scanning the
// same files twice gives the same findings except that first sightings
// are reported on the first run only, and the store holds each finding
// once.
func TestScanTwiceWithStore(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			scan(t, []string{"../../testdata/samples"}, Options{Store: st, Learn: true})
			paths := []string{"../../testdata/samples", "../../testdata/context/firstseen"}
			var ids [2][]string
			var firstSeen [2]int
			for run := range 2 {
				res := scan(t, paths, Options{Store: st})
				for _, f := range res.Findings {
					if strings.HasPrefix(f.Rule, "first-seen-") {
						firstSeen[run]++
						continue
					}
					ids[run] = append(ids[run], f.ID)
				}
			}
			if firstSeen[0] == 0 || firstSeen[1] != 0 {
				t.Errorf("first-seen findings: %d on the first run, %d on the second; want some, then none", firstSeen[0], firstSeen[1])
			}
			if !slices.Equal(ids[0], ids[1]) || len(ids[0]) == 0 {
				t.Errorf("the second run differs:\n%v\n%v", ids[0], ids[1])
			}
			n, err := st.CountFindings(context.Background())
			if err != nil || n != int64(len(ids[0])+firstSeen[0]) {
				t.Errorf("store holds %d findings (%v), want %d", n, err, len(ids[0])+firstSeen[0])
			}
		})
	}
}
