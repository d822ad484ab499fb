package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// OpenSQLite opens (creating when missing) the SQLite store at path, in
// WAL mode: readers never block the writer, and a writer waits up to
// busyTimeout for another one instead of failing.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	// BEGIN IMMEDIATE: a transaction takes the write lock when it starts,
	// so two writers queue (busy_timeout) rather than deadlock on upgrade.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+uriPath(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &sqlStore{db: db, d: dialect{name: "sqlite"}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w (store file %s)", err, path)
	}
	return s, nil
}

// uriPath escapes what a SQLite URI filename would read as syntax: '?'
// starts its parameters, '#' its fragment, '%' an escape. Unescaped, the
// store "a#b.db" was the file "a", and "c?mode=memory.db" a parameter.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace
