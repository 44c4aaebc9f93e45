package runner

import (
	"io"
	"net"
	"sync"
	"testing"
)

// freezeProxy forwards one loopback port to a target until freeze, after
// which it stops moving bytes without closing anything: a peer that went
// silent, as behind a dead network path.
type freezeProxy struct {
	port   int
	frozen chan struct{}
	once   sync.Once
}

func startFreezeProxy(t testing.TB, target string) *freezeProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezeProxy{port: ln.Addr().(*net.TCPAddr).Port, frozen: make(chan struct{})}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, u)
			mu.Unlock()
			go p.pump(u, c)
			go p.pump(c, u)
		}
	}()
	return p
}

// pump copies src to dst until freeze or an error.
func (p *freezeProxy) pump(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-p.frozen:
			return // drop everything from now on
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *freezeProxy) freeze() { p.once.Do(func() { close(p.frozen) }) }
