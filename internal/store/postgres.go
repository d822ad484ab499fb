package store

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// migrationLock is the advisory lock key that serialises migrations
// across processes sharing one database.
const migrationLock = 0x636c6f7564 // "cloud"

// OpenPostgres opens the PostgreSQL store at url (postgres://user:pass@host/db)
// and applies missing migrations.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: postgres unreachable: %w", err)
	}
	s := &sqlStore{db: db, d: dialect{name: "postgres", numbered: true,
		lockMigrations: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock)
			return err
		}}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
