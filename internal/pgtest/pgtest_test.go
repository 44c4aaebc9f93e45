package pgtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestServer starts a server, makes two databases, writes to one, and
// checks that Stop ends the server.
func TestServer(t *testing.T) {
	s := New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := s.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two databases at one URL %s", a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	var version int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version < 150000 {
		t.Errorf("PostgreSQL %d, want 15 or newer", version)
	}
	var addr string
	if err := conn.QueryRow(ctx, "SELECT host(inet_server_addr())").Scan(&addr); err != nil {
		t.Fatal(err)
	}
	if addr != "127.0.0.1" {
		t.Errorf("server address %s, want 127.0.0.1", addr)
	}
	conn.Close(ctx)
	s.Stop()
	select {
	case <-s.Proc.Exited:
	default:
		t.Fatal("Stop returned before postgres exited")
	}
	if c, err := pgx.Connect(ctx, a); err == nil {
		c.Close(ctx)
		t.Fatal("connected after Stop")
	}
}
