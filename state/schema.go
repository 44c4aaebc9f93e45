package state

// migrations are the schema's versions in order: migrations[i] takes a
// store from version i to version i+1 (PRAGMA user_version in SQLite).
// Only ever append; a released migration never changes. Times are Unix
// milliseconds (UTC), statuses their names, so that the same schema reads
// the same on PostgreSQL.
var migrations = []string{
	// 1: sweeps, episodes and their changes.
	`CREATE TABLE sweeps (
		id          INTEGER PRIMARY KEY,
		started     INTEGER NOT NULL,
		finished    INTEGER,
		query       TEXT NOT NULL,
		checks      TEXT NOT NULL,   -- comma-separated, in order
		hosts       INTEGER NOT NULL, -- hosts in scope
		scope       TEXT NOT NULL,   -- the hosts in scope, folded
		complete    INTEGER NOT NULL DEFAULT 0,
		results     INTEGER NOT NULL DEFAULT 0,
		ok          INTEGER NOT NULL DEFAULT 0,
		warning     INTEGER NOT NULL DEFAULT 0,
		critical    INTEGER NOT NULL DEFAULT 0,
		unknown     INTEGER NOT NULL DEFAULT 0,
		unreachable INTEGER NOT NULL DEFAULT 0,
		not_run     INTEGER NOT NULL DEFAULT 0,
		opened      INTEGER NOT NULL DEFAULT 0,
		worsened    INTEGER NOT NULL DEFAULT 0,
		improved    INTEGER NOT NULL DEFAULT 0,
		fixed       INTEGER NOT NULL DEFAULT 0,
		gone        INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE episodes (
		id            INTEGER PRIMARY KEY,
		host          TEXT NOT NULL,
		check_name    TEXT NOT NULL,  -- '' for the host's unreachability
		status        TEXT NOT NULL,
		summary       TEXT NOT NULL,
		reason        TEXT NOT NULL,
		error_kind    TEXT NOT NULL,
		team          TEXT NOT NULL,
		rule          TEXT NOT NULL,
		unowned       INTEGER NOT NULL,
		product_owner TEXT NOT NULL,
		first_seen    INTEGER NOT NULL,
		last_seen     INTEGER NOT NULL,
		first_sweep   INTEGER NOT NULL REFERENCES sweeps(id),
		last_sweep    INTEGER NOT NULL REFERENCES sweeps(id),
		ended         INTEGER,
		end_kind      TEXT NOT NULL DEFAULT '',
		end_sweep     INTEGER REFERENCES sweeps(id)
	);
	CREATE UNIQUE INDEX episodes_open ON episodes(host, check_name) WHERE end_kind = '';
	CREATE INDEX episodes_host ON episodes(host, check_name, first_seen);
	CREATE INDEX episodes_ended ON episodes(ended);
	CREATE TABLE changes (
		episode       INTEGER NOT NULL REFERENCES episodes(id),
		sweep         INTEGER NOT NULL REFERENCES sweeps(id),
		at            INTEGER NOT NULL,
		status        TEXT NOT NULL,
		summary       TEXT NOT NULL,
		team          TEXT NOT NULL,
		rule          TEXT NOT NULL,
		unowned       INTEGER NOT NULL,
		product_owner TEXT NOT NULL
	);
	CREATE INDEX changes_episode ON changes(episode, at);`,

	// 2: shards, and what each team was last shown.
	`ALTER TABLE sweeps ADD COLUMN shard_index INTEGER;
	ALTER TABLE sweeps ADD COLUMN shard_count INTEGER;
	CREATE TABLE delivered (
		team  TEXT PRIMARY KEY,
		sweep INTEGER NOT NULL REFERENCES sweeps(id),
		at    INTEGER NOT NULL
	);`,

	// 3: triage: acknowledgements of episodes, maintenance windows with
	// the host set they covered when made, and the window an episode
	// opened in.
	`CREATE TABLE acks (
		id       INTEGER PRIMARY KEY,
		episode  INTEGER NOT NULL REFERENCES episodes(id),
		status   TEXT NOT NULL,    -- the status acknowledged: a worse one ends it
		by_name  TEXT NOT NULL,
		reason   TEXT NOT NULL,
		until_at INTEGER,          -- NULL: until the episode resolves or worsens
		created  INTEGER NOT NULL,
		ended    INTEGER,
		end_kind TEXT NOT NULL DEFAULT ''  -- expired, resolved, worsened, removed, replaced
	);
	CREATE INDEX acks_episode ON acks(episode);
	CREATE TABLE maintenance (
		id       INTEGER PRIMARY KEY,
		query    TEXT NOT NULL,
		start_at INTEGER NOT NULL,
		end_at   INTEGER NOT NULL, -- brought forward by a removal
		reason   TEXT NOT NULL,
		by_name  TEXT NOT NULL,
		created  INTEGER NOT NULL,
		removed  INTEGER
	);
	CREATE INDEX maintenance_end ON maintenance(end_at);
	CREATE TABLE maintenance_hosts (
		maint INTEGER NOT NULL REFERENCES maintenance(id),
		host  TEXT NOT NULL,
		PRIMARY KEY (maint, host)
	);
	CREATE INDEX maintenance_hosts_host ON maintenance_hosts(host);
	ALTER TABLE episodes ADD COLUMN maint INTEGER REFERENCES maintenance(id);`,

	// 4: the delivery outbox, and what delivery must remember: the SLA
	// breaches already escalated and the last push to each push target
	// (Alertmanager).
	`CREATE TABLE outbox (
		seq         INTEGER PRIMARY KEY,   -- queue order
		id          TEXT NOT NULL UNIQUE,  -- the stable delivery id (team, receiver, sweep)
		team        TEXT NOT NULL,
		receiver    TEXT NOT NULL,
		sweep       INTEGER NOT NULL,
		kind        TEXT NOT NULL,         -- digest, escalation, alertmanager
		subject     TEXT NOT NULL,
		markdown    TEXT NOT NULL,
		body        TEXT NOT NULL,         -- the JSON document, '' when none
		alerts      TEXT NOT NULL,         -- a JSON array of alerts, '' when none
		queued      INTEGER NOT NULL,
		attempts    INTEGER NOT NULL DEFAULT 0,
		last_error  TEXT NOT NULL DEFAULT '',
		state       TEXT NOT NULL DEFAULT 'pending', -- pending, delivered, refused
		settled     INTEGER,
		claimed_by  TEXT NOT NULL DEFAULT '',
		claim_until INTEGER
	);
	CREATE INDEX outbox_state ON outbox(state, seq);
	CREATE TABLE escalated (
		episode INTEGER NOT NULL REFERENCES episodes(id),
		status  TEXT NOT NULL,   -- the severity whose SLA was breached
		sweep   INTEGER NOT NULL,
		at      INTEGER NOT NULL,
		PRIMARY KEY (episode, status)
	);
	CREATE TABLE pushed (
		target TEXT PRIMARY KEY,
		sweep  INTEGER NOT NULL,
		at     INTEGER NOT NULL
	);`,
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int { return len(migrations) }
