package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/pgtest"
)

// sharedPG is the test binary's PostgreSQL, started by the first test that
// needs it and stopped by TestMain; each test gets a fresh database on it.
var sharedPG pgtest.Shared

// backend is one engine the store's tests run against.
type backend struct {
	name  string
	fresh func(t *testing.T) string // where a new, empty store is: a file or a URL
}

var backends = []backend{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "fleet.db") }},
	{"postgres", func(t *testing.T) string { return sharedPG.Database(t) }},
}

// forBackends runs f as a subtest per backend; the PostgreSQL one skips
// where PostgreSQL is not installed.
func forBackends(t *testing.T, f func(t *testing.T, fresh func(*testing.T) string)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.fresh) })
	}
}

func TestPostgresNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	where := sharedPG.Database(t)
	s, err := OpenPostgres(ctx, where, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE "+versionTable+" SET version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := pgTables(t, where)
	_, err = OpenPostgres(ctx, where, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("opening a newer store: %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{where, "schema version 99", "upgrade fleetcheck"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if after := pgTables(t, where); after != before {
		t.Errorf("refusing a newer store changed it: %s, then %s", before, after)
	}
}

func TestPostgresNotAStore(t *testing.T) {
	ctx := context.Background()
	where := sharedPG.Database(t)
	db, err := sql.Open("pgx", where)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t(x int)"); err != nil {
		t.Fatal(err)
	}
	_, err = OpenPostgres(ctx, where, Options{})
	if err == nil || !strings.Contains(err.Error(), "a PostgreSQL database, but not a fleetcheck state store") {
		t.Errorf("opening another PostgreSQL database: %v", err)
	}
	if got := pgTables(t, where); got != "t" {
		t.Errorf("refusing it changed its tables to %s", got)
	}
}

// pgTables lists the tables of the database at where, and its schema
// version if any.
func pgTables(t *testing.T, where string) string {
	t.Helper()
	db, err := sql.Open("pgx", where)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var list string
	if err := db.QueryRow(`SELECT COALESCE(string_agg(table_name, ',' ORDER BY table_name), '') FROM information_schema.tables
		WHERE table_schema = current_schema()`).Scan(&list); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(list, versionTable) {
		var v int
		if err := db.QueryRow("SELECT version FROM " + versionTable).Scan(&v); err != nil {
			t.Fatal(err)
		}
		list += fmt.Sprintf(" version %d", v)
	}
	return list
}

// TestPostgresPasswordNeverShown: the URL's password is not in errors nor
// in the store's name, whether it fails to connect or connects.
func TestPostgresPasswordNeverShown(t *testing.T) {
	const pw = "s3cret-Pw"
	if got := RedactURL("postgres://fc:" + pw + "@db.example.org/fleet?sslmode=require"); strings.Contains(got, pw) || !strings.Contains(got, "fc:xxxxx@db.example.org/fleet") {
		t.Errorf("RedactURL = %q", got)
	}
	if got := RedactURL("postgres://db.example.org/fleet?password=" + pw); strings.Contains(got, pw) {
		t.Errorf("RedactURL = %q", got)
	}
	ctx := context.Background()
	u, err := url.Parse(sharedPG.Database(t)) // trust authentication: any password is accepted
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("postgres", pw)
	s, err := OpenPostgres(ctx, u.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.Path(), pw) {
		t.Errorf("Path() = %q shows the password", s.Path())
	}
	s.Close()
	for _, bad := range []string{
		strings.Replace(u.String(), u.Path, "/no_such_db", 1),                // the server says no
		"postgres://postgres:" + pw + "@127.0.0.1:1/fleet?connect_timeout=2", // nothing listens
		"postgres://postgres:" + pw + "@127.0.0.1:1/fleet?sslmode=bogus",     // does not parse
	} {
		_, err := OpenPostgres(ctx, bad, Options{})
		if err == nil {
			t.Errorf("%s: opened", RedactURL(bad))
			continue
		}
		if strings.Contains(err.Error(), pw) || !strings.Contains(err.Error(), "xxxxx") {
			t.Errorf("error %q: want the URL named with its password redacted", err)
		}
	}
}

func TestIsPostgresURL(t *testing.T) {
	for in, want := range map[string]bool{
		"postgres://h/db": true, "postgresql://h/db": true, "fleet.db": false, "/var/lib/fleetcheck/state.db": false,
		"postgres.db": false, "file:postgres://x": false,
	} {
		if got := IsPostgresURL(in); got != want {
			t.Errorf("IsPostgresURL(%q) = %v", in, got)
		}
	}
}

// TestPostgresDeadlines: every statement has the default deadline unless
// the URL sets one.
func TestPostgresDeadlines(t *testing.T) {
	ctx := context.Background()
	where := sharedPG.Database(t)
	for _, tt := range []struct{ url, want string }{
		{where, "2min"},
		{where + "&statement_timeout=5000", "5s"},
	} {
		s, err := OpenPostgres(ctx, tt.url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := s.db.QueryRowContext(ctx, "SHOW statement_timeout").Scan(&got); err != nil || got != tt.want {
			t.Errorf("%s: statement_timeout %q (%v), want %q", tt.url, got, err, tt.want)
		}
		s.Close()
	}
}
