package runner

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// errSweepOver ends jump connections still being made when Run returns.
var errSweepOver = errors.New("sweep over")

// jumpPool shares the connections to jump hosts among the hosts of one
// Run: one connection per distinct ProxyJump chain, its hosts tunnelled
// through it, instead of one handshake per host per hop (which would also
// trip the bastion's MaxStartups). A chain that dies or fails is dialed
// again by the next host that needs it.
type jumpPool struct {
	ctx       context.Context // the Run's; canceled by close
	cancel    context.CancelCauseFunc
	dial      func(ctx context.Context, hops []string) ([]*ssh.Client, error)
	keepalive time.Duration

	mu     sync.Mutex
	chains map[string]*jumpChain
	wg     sync.WaitGroup
}

// jumpChain is one chain's connections once ready is closed.
type jumpChain struct {
	ready   chan struct{}
	clients []*ssh.Client // first hop first
	err     error
}

func newJumpPool(ctx context.Context, keepaliveEvery time.Duration, dial func(context.Context, []string) ([]*ssh.Client, error)) *jumpPool {
	ctx, cancel := context.WithCancelCause(ctx)
	return &jumpPool{ctx: ctx, cancel: cancel, dial: dial, keepalive: keepaliveEvery, chains: map[string]*jumpChain{}}
}

// client returns the last hop of the chain hops, dialing it unless it is
// up or being dialed; ctx bounds only this caller's wait.
func (p *jumpPool) client(ctx context.Context, hops []string) (*ssh.Client, error) {
	key := strings.Join(hops, ",")
	p.mu.Lock()
	ch := p.chains[key]
	if ch == nil {
		ch = &jumpChain{ready: make(chan struct{})}
		p.chains[key] = ch
		p.wg.Add(1)
		go p.establish(key, ch, hops)
	}
	p.mu.Unlock()
	select {
	case <-ch.ready:
	case <-ctx.Done():
		return nil, ctxErr(ctx)
	}
	if ch.err != nil {
		return nil, ch.err
	}
	return ch.clients[len(ch.clients)-1], nil
}

// establish dials a chain under the Run's context, then watches it: when
// its connection ends (or stops answering keepalives) the chain is
// forgotten so that the next host dials it again.
func (p *jumpPool) establish(key string, ch *jumpChain, hops []string) {
	defer p.wg.Done()
	ch.clients, ch.err = p.dial(p.ctx, hops)
	if ch.err != nil {
		p.forget(key, ch)
		close(ch.ready)
		return
	}
	close(ch.ready)
	last := ch.clients[len(ch.clients)-1]
	closeAll := func(error) {
		for i := len(ch.clients) - 1; i >= 0; i-- {
			ch.clients[i].Close()
		}
	}
	stop := context.AfterFunc(p.ctx, func() { closeAll(nil) })
	defer stop()
	defer startKeepalive(last, p.keepalive, closeAll)()
	last.Wait()
	p.forget(key, ch)
	closeAll(nil)
}

// forget drops ch from the pool unless it was already replaced.
func (p *jumpPool) forget(key string, ch *jumpChain) {
	p.mu.Lock()
	if p.chains[key] == ch {
		delete(p.chains, key)
	}
	p.mu.Unlock()
}

// close ends every chain (and any dial in progress) and waits for them.
func (p *jumpPool) close() {
	p.cancel(errSweepOver)
	p.wg.Wait()
}
