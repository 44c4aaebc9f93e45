// Package query parses and evaluates cumin-compatible host selection
// queries ("role=cache and dc=dc1", "A:canaries", "D{web[1-3].example.org}").
//
// # Global grammar
//
//	query    := group
//	group    := ["not"] item (operator item)*
//	item     := "(" group ")" | "A:" alias | backend "{" inside "}" | native
//	operator := "and not" | "and" | "xor" | "or"
//
// Keywords are case-insensitive. A chain is evaluated left to right without
// precedence, as cumin does: "a or b and c" is "(a or b) and c". "and not"
// is set difference, "xor" symmetric difference. "not" at the start of a
// group (or of the whole query) is fleetcheck's one extension to cumin's
// grammar: it negates the item it precedes, relative to every inventory
// host ("not a or b" is "(not a) or b"); elsewhere "not" is an error ("or
// not" is rejected, as cumin rejects it).
//
// Alias names use cumin's characters (letters, digits, "-_.+"). A backend
// block's inside ends at the first '}' outside a quoted string; a backend
// opening ("P{") before it is an error, as in cumin. D{} and K{} use
// cumin's direct and known_hosts grammars (host tokens, and/or/and
// not/xor, parentheses, no "not"), P{} cumin's PuppetDB grammar (see
// PuppetQuery and PQL). O{} (OpenStack) is rejected.
//
// # Bare tokens
//
// Outside blocks, cumin sends bare tokens to its default backend; fleetcheck
// reads them natively, by this rule, applied at the token's first
// character:
//
//  1. a word equal (case-insensitively) to and, or, xor or not is the
//     keyword, never a host name; the word "all" (lower case) selects every
//     inventory host ("all and not A:retired");
//  2. a run of label-key characters (letters, digits, "_-./") immediately
//     followed by "=", "!=" or "~" is a label selector; its value is a
//     quoted string ('\' escapes '\' and the quote; other backslashes
//     stay), or runs to whitespace or to a ')' that closes no '(' of the
//     value ("role~^(web|cache)$"). "!=" selects hosts without that value
//     (including hosts without the key); "~" is an unanchored RE2 match;
//  3. otherwise the token is the run of host characters (letters, digits,
//     "-_.,!&^[]*?"), and it is a glob if it holds "*" or "?" (node-set
//     brackets in it expand first: "web[01-03]*"), else a node set if it
//     holds any of "[],!&^" (ClusterShell syntax, expanded by package
//     nodeset), else a host name. Globs, node sets and names select only
//     inventory hosts, by exact name.
//
// Any other character is a syntax error. Errors are *posfile.Error values
// with File "query", Line 1 and the 1-based column of the problem.
//
// # Evaluation
//
// Sets are bitsets over inventory indexes. Labels are read through
// per-key value indexes (for key "group", a host's Ansible groups count as
// values); "A:name" evaluates the inventory's alias text, once, and a cycle
// or an unknown alias is an error. D{} selects the hosts it names whether
// or not the inventory holds them; K{} selects the host names (IP
// addresses excluded, as in cumin) of Env.KnownHosts that its patterns
// match; P{} asks Env.PuppetDB with the PQL translation of the block. Hosts
// outside the inventory come after the inventory's, sorted by name, with
// Source "D{}", "K{file}" or "P{}". A P{} block with resource conditions
// is one query on PuppetDB's resources, so its and/or/not apply to one
// resource, as in cumin; PQL lists where fleetcheck's P{} differs.
//
// Eval and Select build their indexes for one query; an Evaluator keeps
// them, and the results of aliases and blocks, across many queries.
package query

import (
	"context"
	"errors"
	"sync"

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
	return parseQuery(q, false)
}

// Eval returns the hosts e selects, in inventory order, followed by hosts
// from D{}/K{}/P{} that the inventory does not hold (name only).
func Eval(ctx context.Context, env *Env, e Expr) ([]inventory.Host, error) {
	ev, err := NewEvaluator(env)
	if err != nil {
		return nil, err
	}
	return ev.Eval(ctx, e)
}

// Select parses q and evaluates it; "" and "all" select every inventory host.
func Select(ctx context.Context, env *Env, q string) ([]inventory.Host, error) {
	if env == nil || env.Inventory == nil {
		return nil, errors.New("query: no inventory to select from")
	}
	if q == "" || q == "all" {
		return env.Inventory.Hosts, nil
	}
	e, err := Parse(q)
	if err != nil {
		return nil, err
	}
	return Eval(ctx, env, e)
}

// Evaluator evaluates many queries against one Env, keeping what does not
// change between them: the host name index, the known_hosts names, and the
// hosts of aliases, labels, patterns and backend blocks already evaluated
// (P{} answers included). The inventory, the known_hosts files and
// PuppetDB are taken as a snapshot. Safe for concurrent use; calls are
// serialised.
type Evaluator struct {
	mu sync.Mutex
	ev *evaluator
}

// NewEvaluator returns an Evaluator over env; env.Inventory is required.
func NewEvaluator(env *Env) (*Evaluator, error) {
	ev, err := newEvaluator(env)
	if err != nil {
		return nil, err
	}
	return &Evaluator{ev: ev}, nil
}

// Eval returns the hosts e selects, as the package-level Eval does.
func (x *Evaluator) Eval(ctx context.Context, e Expr) ([]inventory.Host, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.ev.run(ctx, e)
}

// Select parses q and evaluates it; "" and "all" select every inventory host.
func (x *Evaluator) Select(ctx context.Context, q string) ([]inventory.Host, error) {
	if q == "" || q == "all" {
		return x.ev.hosts, nil
	}
	e, err := Parse(q)
	if err != nil {
		return nil, err
	}
	return x.Eval(ctx, e)
}
