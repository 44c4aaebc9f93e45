#!/bin/sh
# generate.sh regenerates the real Puppet fixtures in this directory: every
# case is a run of the real Puppet agent (Debian's puppet-agent 7.x, and
# Debian's puppetserver for the cases that need a server), laid out under a
# temporary root as Debian's Puppet 7 lays out a host:
#
#   var/cache/puppet/public/last_run_summary.yaml    ($publicdir)
#   var/cache/puppet/state/last_run_report.yaml      ($statedir)
#   var/cache/puppet/state/agent_disabled.lock
#   var/cache/puppet/state/agent_catalog_run.lock
#   var/lib/puppet/state/...                         (Puppet <= 6, upgraded case)
#
# Only those files are copied into <case>/ (never certificates, caches or
# the catalog), with <case>/times: "captured EPOCH" (when the run ended)
# and "mtime PATH EPOCH" for every file copied (git keeps no mtimes).
# The files are never edited afterwards: checks/puppet_real_test.go reads
# them as they are. Run it as root on a machine with puppet and
# puppetserver installed (not in CI; it takes several minutes):
#
#   sh checks/testdata/puppet/real/generate.sh
#
# The server listens on 127.0.0.1 only, with its own confdir, vardir and
# CA under the temporary directory, and is stopped at the end.
set -eu

OUT=$(cd "$(dirname "$0")" && pwd)
W=/tmp/fleetcheck-puppet-gen # fixed, so the paths in the reports are the same on every run
PORT=${PORT:-18140}
CERTNAME=web1.example.org
command -v puppet >/dev/null || { echo "generate.sh: puppet is not installed" >&2; exit 1; }
[ -f /usr/share/puppetserver/puppetserver.jar ] || { echo "generate.sh: puppetserver is not installed" >&2; exit 1; }

rm -rf "$W"
mkdir -p "$W/manifests" "$W/ssl"
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# p7 ROOT SUBCOMMAND ARGS...: puppet with Debian's Puppet 7 layout under ROOT.
p7() {
	r=$1; sub=$2; shift 2
	mkdir -p "$r/run" "$r/etc"
	puppet "$sub" --color=false --confdir="$r/etc/puppet" --codedir="$r/etc/puppet/code" \
		--vardir="$r/var/cache/puppet" --publicdir="$r/var/cache/puppet/public" \
		--logdir="$r/var/log/puppet" --rundir="$r/run/puppet" --ssldir="$W/ssl" \
		--certname="$CERTNAME" "$@"
}

# p6 ROOT SUBCOMMAND ARGS...: puppet with the Puppet <= 6 layout (Debian's
# old /var/lib/puppet): the summary in $statedir beside the report.
p6() {
	r=$1; sub=$2; shift 2
	mkdir -p "$r/run" "$r/etc"
	puppet "$sub" --color=false --confdir="$r/etc/puppet" --codedir="$r/etc/puppet/code" \
		--vardir="$r/var/lib/puppet" --publicdir="$r/var/lib/puppet/state" \
		--lastrunfile="$r/var/lib/puppet/state/last_run_summary.yaml" \
		--logdir="$r/var/log/puppet" --rundir="$r/run/puppet" --ssldir="$W/ssl" \
		--certname="$CERTNAME" "$@"
}

# agent ROOT ARGS...: one agent run against the loopback server; the exit
# status (2 changes, 4 failures, 6 both, 1 failed run) is expected.
agent() {
	r=$1; shift
	p7 "$r" agent --onetime --no-daemonize --verbose --no-splay --server=localhost --serverport="$PORT" \
		--ca_server=localhost --ca_port="$PORT" --waitforcert=0 --detailed-exitcodes "$@" || true
}

# apply ROOT MANIFEST ARGS...: puppet apply of manifest text.
apply() {
	r=$1; m=$2; shift 2
	printf '%s\n' "$m" >"$W/manifests/apply.pp"
	p7 "$r" apply --detailed-exitcodes "$@" "$W/manifests/apply.pp" || true
}

# save CASE ROOT: copy the files the check reads into $OUT/CASE.
save() {
	c=$1; r=$2
	rm -rf "${OUT:?}/$c"
	mkdir -p "$OUT/$c"
	echo "captured $(date +%s)" >"$OUT/$c/times"
	for f in var/cache/puppet/public/last_run_summary.yaml var/cache/puppet/state/last_run_report.yaml \
		var/cache/puppet/state/agent_disabled.lock var/cache/puppet/state/agent_catalog_run.lock \
		var/lib/puppet/state/last_run_summary.yaml var/lib/puppet/state/last_run_report.yaml; do
		if [ -f "$r/$f" ]; then
			mkdir -p "$OUT/$c/$(dirname "$f")"
			cp "$r/$f" "$OUT/$c/$f"
			echo "mtime $f $(stat -c %Y "$r/$f")" >>"$OUT/$c/times"
		fi
	done
	echo "generate.sh: $c: $(cd "$OUT/$c" && find . -type f ! -name times | sort | tr '\n' ' ')" >&2
}

T=$W/target # files the manifests manage
mkdir -p "$T"

# --- puppet apply cases (no server) ---------------------------------------

R=$W/changes
apply "$R" "file { '$T/motd': ensure => file, content => \"hello\\n\" }"
save changes "$R"

R=$W/clean
apply "$R" "file { '$T/clean': ensure => file, content => \"hello\\n\" }"
apply "$R" "file { '$T/clean': ensure => file, content => \"hello\\n\" }"
save clean "$R"

R=$W/failing_exec
apply "$R" "exec { 'migrate-db': command => '/bin/false', path => '/bin:/usr/bin' }
file { '$T/ok': ensure => file, content => \"ok\\n\" }"
save failing_exec "$R"

R=$W/failing_restart
apply "$R" "file { '$T/app.conf': ensure => file, content => \"v1\\n\", notify => Service['app'] }
service { 'app': ensure => running, provider => base, start => '/bin/true', status => '/bin/true', restart => '/bin/false', hasrestart => true }"
apply "$R" "file { '$T/app.conf': ensure => file, content => \"v2\\n\", notify => Service['app'] }
service { 'app': ensure => running, provider => base, start => '/bin/true', status => '/bin/true', restart => '/bin/false', hasrestart => true }"
save failing_restart "$R"

R=$W/failing_file_skipped
apply "$R" "file { '$T/no/such/dir/app.conf': ensure => file, content => \"x\\n\" }
exec { 'reload-app': command => '/bin/true', require => File['$T/no/such/dir/app.conf'] }"
save failing_file_skipped "$R"

R=$W/many_failures
apply "$R" "exec { ['check-a', 'check-b', 'check-c', 'check-d', 'check-e', 'check-f', 'check-g']: command => '/bin/false' }"
save many_failures "$R"

R=$W/dependency_cycle
apply "$R" "notify { 'a': require => Notify['b'] }
notify { 'b': require => Notify['a'] }
file { '$T/cycle': ensure => file }"
save dependency_cycle "$R"

R=$W/noop_pending
apply "$R" "file { '$T/noop': ensure => file, content => \"new\\n\" }
exec { 'noop-exec': command => '/bin/true' }" --noop
save noop_pending "$R"

R=$W/tags_nothing
apply "$R" "file { '$T/tagged': ensure => file, content => \"x\\n\", tag => ['web'] }" --tags nosuchtag
save tags_nothing "$R"

R=$W/disabled_reason
apply "$R" "file { '$T/disabled': ensure => file, content => \"x\\n\" }"
p7 "$R" agent --disable "kernel upgrade, back at 16:00 -- alice"
save disabled_reason "$R"

R=$W/disabled_no_reason
apply "$R" "file { '$T/disabled2': ensure => file, content => \"x\\n\" }"
p7 "$R" agent --disable
save disabled_no_reason "$R"

# A host upgraded from Puppet 6 (summary in /var/lib/puppet/state) to 7:
# the old layout keeps its older summary; then the reverse order, a new
# layout left behind by a host that runs the old paths again.
R=$W/upgraded
printf "file { '%s/up': ensure => file, content => \"6\\\\n\" }\n" "$T" >"$W/manifests/p6.pp"
p6 "$R" apply --detailed-exitcodes "$W/manifests/p6.pp" || true
sleep 2
apply "$R" "file { '$T/up': ensure => file, content => \"7\\n\" }"
save upgraded "$R"

R=$W/upgraded_old_newer
apply "$R" "file { '$T/up2': ensure => file, content => \"7\\n\" }"
sleep 2
printf "exec { 'old-layout-fails': command => '/bin/false' }\n" >"$W/manifests/p6b.pp"
p6 "$R" apply --detailed-exitcodes "$W/manifests/p6b.pp" || true
save upgraded_old_newer "$R"

# --- agent runs against a loopback puppetserver ---------------------------

S=$W/server
mkdir -p "$S/conf" "$S/code/environments/production/manifests" "$S/var" "$S/run" "$S/log" "$S/tk/conf.d" "$S/tk/services.d"
cat >"$S/conf/puppet.conf" <<CONF
[server]
certname = localhost
dns_alt_names = localhost,127.0.0.1
autosign = true
vardir = $S/var
ssldir = $S/var/ssl
logdir = $S/log
rundir = $S/run
codedir = $S/code
cadir = $S/var/ca
CONF
cp /etc/puppet/puppetserver/services.d/* "$S/tk/services.d/"
for f in auth.conf ca.conf web-routes.conf metrics.conf; do cp "/etc/puppet/puppetserver/conf.d/$f" "$S/tk/conf.d/"; done
sed "s#/var/log/puppetserver#$S/log#g" /etc/puppet/puppetserver/logback.xml >"$S/tk/logback.xml"
sed "s#/var/log/puppetserver#$S/log#g" /etc/puppet/puppetserver/request-logging.xml >"$S/tk/request-logging.xml"
echo "global: { logging-config: $S/tk/logback.xml }" >"$S/tk/conf.d/global.conf"
cat >"$S/tk/conf.d/webserver.conf" <<CONF
webserver: { access-log-config: $S/tk/request-logging.xml, client-auth: want, ssl-host: 127.0.0.1, ssl-port: $PORT }
CONF
cat >"$S/tk/conf.d/puppetserver.conf" <<CONF
jruby-puppet: {
    ruby-load-path: [/usr/lib/puppetserver/ruby/vendor_ruby]
    gem-home: $S/var/jruby-gems
    gem-path: [\${jruby-puppet.gem-home}, "/usr/lib/puppetserver/vendored-jruby-gems"]
    server-conf-dir: $S/conf
    server-code-dir: $S/code
    server-var-dir: $S/var
    server-run-dir: $S/run
    server-log-dir: $S/log
    max-active-instances: 1
}
http-client: {}
profiler: {}
CONF
SITE=$S/code/environments/production/manifests/site.pp
good_site() {
	cat >"$SITE" <<PP
node default {
  file { '$T/agent': ensure => file, content => "served\\n" }
  exec { 'slow': command => "/bin/sleep \${facts['fleetcheck_sleep']}", onlyif => "/usr/bin/test -n '\${facts['fleetcheck_sleep']}'" }
}
PP
}
good_site
# A config version from a script, as sites running their code from git
# have: Puppet writes one made of digits quoted ('1796146697').
echo "config_version = /bin/date +%s" >"$S/code/environments/production/environment.conf"
(cd /usr/share/puppetserver && exec java -Xms256m -Xmx768m -Djruby.lib=/usr/share/jruby/lib -Dlogappender=STDOUT \
	-XX:+CrashOnOutOfMemoryError -jar /usr/share/puppetserver/puppetserver.jar \
	--config "$S/tk/conf.d" --bootstrap-config "$S/tk/services.d" >"$S/log/stdout.log" 2>&1) &
SERVER_PID=$!
echo "generate.sh: waiting for puppetserver on 127.0.0.1:$PORT (pid $SERVER_PID)" >&2
i=0
until curl -sk --max-time 5 "https://127.0.0.1:$PORT/status/v1/simple" 2>/dev/null | grep -q running; do
	i=$((i + 1))
	[ "$i" -lt 120 ] || { echo "generate.sh: puppetserver did not start; see $S/log" >&2; exit 1; }
	kill -0 "$SERVER_PID" || { echo "generate.sh: puppetserver exited; see $S/log" >&2; exit 1; }
	sleep 5
done

R=$W/agent_clean
agent "$R"
agent "$R"
save agent_clean "$R"

# A corrective change: a managed file edited by hand between two runs
# (Puppet records what it applied in transactionstore.yaml, agent runs only).
R=$W/corrective_change
agent "$R"
sleep 1
echo "edited by hand" >"$T/agent"
agent "$R"
save corrective_change "$R"

# A run in progress: the agent holds agent_catalog_run.lock while a slow
# exec runs; the files are copied while it holds it.
R=$W/run_in_progress
agent "$R"
FACTER_fleetcheck_sleep=60 agent "$R" >/dev/null 2>&1 &
RUN=$!
i=0
until [ -f "$R/var/cache/puppet/state/agent_catalog_run.lock" ] || [ "$i" -ge 120 ]; do i=$((i + 1)); sleep 1; done
sleep 2
save run_in_progress "$R"
wait "$RUN" || true

# The server cannot compile the catalog: with no catalog cached (a new
# host), and with one (the agent applies its cached catalog).
R=$W/cached_catalog
agent "$R"
cat >"$SITE" <<'PP'
node default {
  $release = lookup('app::release')
}
PP
agent "$R"
save cached_catalog "$R"
R=$W/compile_error
agent "$R"
save compile_error "$R"
good_site

# The server down: with no catalog cached, and with one.
R=$W/server_down_cached
agent "$R"
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=
agent "$R"
save server_down_cached "$R"
R=$W/server_down
mkdir -p "$R"
agent "$R"
save server_down "$R"

echo "generate.sh: done; check the fixtures for host-specific data before committing" >&2
