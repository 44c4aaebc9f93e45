#!/usr/bin/env bash
# Copies the check outputs the demo fleet serves from the checks' golden
# cases (checks/testdata/<check>/<case>.out) into samples/<check>/, named
# <status>-<case>.out after the status the golden file records, so that the
# demo and the golden tests cannot drift apart. Run by `go generate`.
set -euo pipefail
cd "$(dirname "$0")"
src=../../checks/testdata
rm -rf samples && mkdir samples
while read -r check cases; do
  mkdir -p "samples/$check"
  for c in $cases; do
    status=$(sed -n 's/^status: //p' "$src/$check/$c.golden" | head -1)
    [ -n "$status" ] || { echo "no status in $src/$check/$c.golden" >&2; exit 1; }
    cp "$src/$check/$c.out" "samples/$check/$status-$c.out"
    if [ -f "$src/$check/$c.exit" ]; then cp "$src/$check/$c.exit" "samples/$check/$status-$c.exit"; fi
  done
done <<'LIST'
puppet healthy healthy_with_changes legacy_path stale_warning failed_resources disabled_recent stale_critical catalog_failure disabled_week missing
systemd ok ok_starting many_failed
disk ok btrfs_no_inode_limit warning_home critical_and_warning inodes_critical
reboot ok_debian ok_rhel required_debian_pkgs required_rhel
ntp chrony_ok timesyncd_ok chrony_warning_offset timesyncd_unsynced chrony_not_synchronised
load ok spike_load1_only cpuinfo_fallback_count warning critical
memory ok no_swap old_kernel_no_memavailable warning critical
LIST
# Outputs of real Puppet 7.23 hosts in Debian's layout, recorded by the
# real-fixture tests (checks/testdata/puppet/real/<case>.out): some demo
# hosts are Puppet 7 hosts.
for c in agent_clean failing_exec many_failures cached_catalog compile_error server_down run_hung disabled_reason upgraded; do
  status=$(sed -n 's/^status: //p' "$src/puppet/real/$c.golden" | head -1)
  [ -n "$status" ] || { echo "no status in $src/puppet/real/$c.golden" >&2; exit 1; }
  cp "$src/puppet/real/$c.out" "samples/puppet/$status-puppet7_$c.out"
done
