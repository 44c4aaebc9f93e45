// Package pgtest starts a throwaway PostgreSQL for tests: initdb and
// postgres from PATH or Debian's /usr/lib/postgresql/N/bin, on 127.0.0.1
// and a free port, in a temporary directory, trusting local connections,
// durability off (fsync, full page writes, synchronous commit) for speed.
// As root it runs as the postgres user (PostgreSQL refuses root). The
// server runs in its own process group with SIGKILL as its parent-death
// signal (see Proc), so it ends with the test binary even when that is
// killed. Tests skip with a clear message where the programs are missing
// (New, Shared.Get). internal/puppetdbtest runs its PostgreSQL, and its
// JVM through Proc, with it.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrMissing is wrapped by Start's error when a program it needs is not
// installed; tests skip on it.
var ErrMissing = errors.New("not installed")

// Programs are PostgreSQL's initdb and postgres.
type Programs struct {
	Initdb, Postgres string
}

// Find locates initdb (PATH, then Debian's /usr/lib/postgresql/N/bin,
// newest first; symlinks followed) and postgres beside it.
func Find() (Programs, error) {
	var p Programs
	var err error
	if p.Initdb, err = exec.LookPath("initdb"); err != nil {
		dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
		if len(dirs) == 0 {
			return p, fmt.Errorf("PostgreSQL's initdb (PATH, /usr/lib/postgresql/*/bin): %w", ErrMissing)
		}
		sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
		p.Initdb = dirs[0]
	}
	if real, err := filepath.EvalSymlinks(p.Initdb); err == nil {
		p.Initdb = real
	}
	p.Postgres = filepath.Join(filepath.Dir(p.Initdb), "postgres")
	if _, err := os.Stat(p.Postgres); err != nil {
		return p, fmt.Errorf("PostgreSQL's postgres beside %s: %w", p.Initdb, ErrMissing)
	}
	return p, nil
}

// pgVersion is the major version in /usr/lib/postgresql/N/bin/initdb.
func pgVersion(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

// Server is a running PostgreSQL.
type Server struct {
	Port    int           // on 127.0.0.1
	Dir     string        // its data directory is Dir/pg, its log Dir/postgres.out
	Started time.Duration // how long Start took
	Proc    *Proc         // the postgres process

	mu sync.Mutex
	n  int // databases made by NewDatabase
}

// Start initialises a cluster in dir/pg (dir must exist) and starts
// PostgreSQL on a free loopback port, returning once it accepts
// connections. The superuser is postgres, without a password.
func Start(ctx context.Context, dir string) (*Server, error) {
	begin := time.Now()
	progs, err := Find()
	if err != nil {
		return nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgtest: running as root needs a postgres user for PostgreSQL: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chmod(dir, 0o755); err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	data := filepath.Join(dir, "pg")
	if err := os.Mkdir(data, 0o700); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if cred != nil {
		if err := os.Chown(data, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	initdb := exec.CommandContext(ctx, progs.Initdb, "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "--locale=C", "-E", "UTF8")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, Tail(out))
	}
	s := &Server{Dir: dir}
	if s.Port, err = FreePort(); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s.Proc, err = StartProc(dir, "postgres", cred, progs.Postgres, "-D", data,
		"-c", "listen_addresses=127.0.0.1", "-p", strconv.Itoa(s.Port), "-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if err := s.Proc.WaitLog(ctx, "database system is ready to accept connections", 60*time.Second); err != nil {
		s.Proc.Kill()
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s.Started = time.Since(begin)
	return s, nil
}

// Stop ends PostgreSQL (its whole process group). Safe to call more than
// once; it leaves Dir to its owner.
func (s *Server) Stop() { s.Proc.Kill() }

// URL is the postgres:// URL of database db on the server, as the
// superuser.
func (s *Server) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: "127.0.0.1:" + strconv.Itoa(s.Port), Path: "/" + db,
		RawQuery: "sslmode=disable"}
	return u.String()
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	name := fmt.Sprintf("t%d", s.n)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtest: creating a database: %w", err)
	}
	return s.URL(name), nil
}

// New starts a server in t.TempDir() for one test, stopped at its
// cleanup; the test skips where PostgreSQL is not installed.
func New(t testing.TB) *Server {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// t.TempDir's parent is private too: let the postgres user in.
		if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx, dir)
	skipMissing(t, err)
	t.Cleanup(s.Stop)
	return s
}

func skipMissing(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, ErrMissing) {
		t.Skipf("no PostgreSQL to test against (Debian: apt-get install postgresql): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Shared is one server for a whole test binary, started by the first Get;
// TestMain calls Stop after m.Run. The zero value is ready to use.
type Shared struct {
	once sync.Once
	srv  *Server
	dir  string
	err  error
}

// Get returns the shared server, starting it on the first call; the test
// skips where PostgreSQL is not installed.
func (sh *Shared) Get(t testing.TB) *Server {
	t.Helper()
	sh.once.Do(func() {
		if sh.dir, sh.err = os.MkdirTemp("", "pgtest-"); sh.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sh.srv, sh.err = Start(ctx, sh.dir)
	})
	skipMissing(t, sh.err)
	return sh.srv
}

// Database returns the URL of a fresh database on the shared server.
func (sh *Shared) Database(t testing.TB) string {
	t.Helper()
	srv := sh.Get(t)
	u, err := srv.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Stop ends the shared server, if one was started, and removes its
// directory.
func (sh *Shared) Stop() {
	if sh.srv != nil {
		sh.srv.Stop()
	}
	if sh.dir != "" {
		_ = os.RemoveAll(sh.dir)
	}
}
