// Package query parses and evaluates cumin-compatible host selection
// queries ("role=cache and dc=dc1", "A:canaries", "D{web[1-3].example.org}").
package query

import (
	"context"
	"errors"

	"github.com/fleetcheck/fleetcheck/inventory"
)

// Expr is a parsed query.
type Expr interface {
	String() string
}

// PuppetDB answers the inside of a P{} block with the certnames it selects.
type PuppetDB interface {
	Query(ctx context.Context, pql string) ([]string, error)
}

// Env is what a query is evaluated against.
type Env struct {
	Inventory  *inventory.Inventory // hosts and aliases; required
	KnownHosts []string             // known_hosts files for K{}; none means K{} selects nothing
	PuppetDB   PuppetDB             // backend for P{}; nil means P{} is an error
}

// Parse parses query text. A syntax error is a *posfile.Error with File
// "query", Line 1 and the column of the problem.
func Parse(q string) (Expr, error) {
	return nil, errors.New("query: not implemented yet")
}

// Eval returns the hosts e selects, in inventory order, followed by hosts
// from D{}/K{}/P{} that the inventory does not hold (name only).
func Eval(ctx context.Context, env *Env, e Expr) ([]inventory.Host, error) {
	return nil, errors.New("query: not implemented yet")
}

// Select parses q and evaluates it; "" and "all" select every inventory host.
func Select(ctx context.Context, env *Env, q string) ([]inventory.Host, error) {
	if q == "" || q == "all" {
		return env.Inventory.Hosts, nil
	}
	e, err := Parse(q)
	if err != nil {
		return nil, err
	}
	return Eval(ctx, env, e)
}
