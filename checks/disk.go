package checks

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

// diskBuiltin is the filesystem use check.
func diskBuiltin() Builtin {
	return Builtin{
		Name: "disk",
		Help: "use of every real local filesystem and tmpfs, blocks and inodes (df -P -T -l; pseudo and image " +
			"filesystems skipped, bind mounts counted once; percentages of used + available, rounded up, as df's Use%)",
		Params: []Param{
			{Name: "warn", Default: "85", Help: "WARNING when a filesystem's blocks or inodes are at least this % used"},
			{Name: "crit", Default: "95", Help: "CRITICAL when a filesystem's blocks or inodes are at least this % used"},
			{Name: "exclude", Default: "", Help: "mount points (or globs) to skip, e.g. [/boot/efi, \"/mnt/*\"]"},
			{Name: "exclude_types", Default: strings.Join(diskDefaultExcludeTypes, ", "), Help: "filesystem types to skip (df -x); tmpfs is checked unless listed here"},
		},
		Default: true,
		New:     newDiskCheck,
	}
}

// diskPseudoTypes are filesystem types that hold no data worth a
// capacity alarm: kernel interfaces, unsized memory, read-only images,
// union views of filesystems checked in their own right. tmpfs is not
// one: a full /run or /dev/shm takes services down.
var diskPseudoTypes = map[string]bool{
	"ramfs": true, "overlayfs": true, "aufs": true, "iso9660": true, "udf": true, "proc": true, "sysfs": true, "nsfs": true,
	"cgroup": true, "cgroup2": true, "devpts": true, "mqueue": true, "debugfs": true, "tracefs": true,
	"securityfs": true, "pstore": true, "bpf": true, "autofs": true, "fusectl": true, "configfs": true,
	"hugetlbfs": true, "rpc_pipefs": true, "binfmt_misc": true, "efivarfs": true, "selinuxfs": true,
	"fuse.lxcfs": true, "fuse.snapfuse": true, "fuse.gvfsd-fuse": true, "fuse.portal": true, "none": true,
}

// diskDefaultExcludeTypes are the types skipped by default (exclude_types),
// which df itself is told to skip, to keep the output small on container
// hosts and snap-heavy desktops: devtmpfs (the kernel's /dev, never
// written to), squashfs (snaps and live images: always full) and overlay
// (container roots: views of a lower filesystem checked in its own right).
var diskDefaultExcludeTypes = []string{"devtmpfs", "squashfs", "overlay"}

// The reasons (Result.Reason) of a disk result that is not OK.
const (
	ReasonFSFull     = "fs_full"     // a filesystem's blocks are over a threshold
	ReasonInodesFull = "inodes_full" // a filesystem's inodes are over a threshold
)

// diskCheck is a configured disk check.
type diskCheck struct {
	name         string
	warn, crit   float64
	exclude      []string
	excludeTypes map[string]bool
	dfExcludes   []string // excludeTypes in order, for df -x
}

// newDiskCheck validates params and builds a disk check.
func newDiskCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("warn", "crit", "exclude", "exclude_types"); err != nil {
		return nil, err
	}
	c := &diskCheck{name: name}
	var err error
	if c.warn, err = p.Float("warn", 85); err != nil {
		return nil, err
	}
	if c.crit, err = p.Float("crit", 95); err != nil {
		return nil, err
	}
	if c.exclude, err = p.Strings("exclude", nil); err != nil {
		return nil, err
	}
	if err := checkPercentPair(c.warn, c.crit); err != nil {
		return nil, err
	}
	types, err := p.Strings("exclude_types", diskDefaultExcludeTypes)
	if err != nil {
		return nil, err
	}
	c.excludeTypes = map[string]bool{}
	for _, t := range types {
		for _, t := range strings.Split(t, ",") {
			t = strings.TrimSpace(t)
			if t == "" || strings.ContainsAny(t, " \t'\"\\$`;|&<>()") {
				return nil, paramErr("exclude_types", "bad filesystem type %q", t)
			}
			if !c.excludeTypes[t] {
				c.excludeTypes[t] = true
				c.dfExcludes = append(c.dfExcludes, t)
			}
		}
	}
	for _, g := range c.exclude {
		if _, err := path.Match(g, ""); err != nil || g == "" {
			return nil, paramErr("exclude", "bad mount point or glob %q", g)
		}
	}
	return c, nil
}

// checkPercentPair validates warn and crit percentages where more is worse.
func checkPercentPair(warn, crit float64) error {
	switch {
	case warn <= 0 || warn > 100:
		return paramErr("warn", "expected a percentage in (0, 100], found %s", formatNumber(warn))
	case crit <= 0 || crit > 100:
		return paramErr("crit", "expected a percentage in (0, 100], found %s", formatNumber(crit))
	case crit < warn:
		return paramErr("crit", "%v is less than warn (%v)", crit, warn)
	}
	return nil
}

// Name returns the configured name.
func (c *diskCheck) Name() string { return c.name }

// Command prints df's block and inode tables of local filesystems in
// POSIX format, bounded to 10 s each in case a mount hangs.
func (c *diskCheck) Command() string {
	x := ""
	for _, t := range c.dfExcludes {
		x += " -x " + shellQuote(t)
	}
	return strings.Join([]string{
		"LC_ALL=C; export LC_ALL; " + captureSetup,
		captureLines("blocks", "timeout 10 df -P -T -l -k"+x),
		captureLines("inodes", "timeout 10 df -P -T -l -i"+x),
		markerLine(endSection),
	}, "\n")
}

// dfRow is one filesystem line of `df -P -T`.
type dfRow struct {
	Source, Type, Mount string
	Size, Used, Avail   int64 // 1K blocks, or inodes
}

// Percent is the used share rounded up, as df computes Capacity: used
// over what non-root users can reach (used + available).
func (r dfRow) Percent() float64 {
	total := r.Used + r.Avail
	if total <= 0 {
		return 0
	}
	return float64((r.Used*100 + total - 1) / total)
}

// parseDF parses `df -P -T` lines; the first line is skipped when it is a
// header (in whatever language); lines that do not parse are returned.
func parseDF(lines []string) (rows []dfRow, bad []string) {
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) < 7 {
			bad = append(bad, l)
			continue
		}
		var n [3]int64
		ok := true
		for j := range n {
			v, err := strconv.ParseInt(f[2+j], 10, 64)
			if err != nil || v < 0 {
				ok = false
				break
			}
			n[j] = v
		}
		if !ok || !strings.HasSuffix(f[5], "%") && f[5] != "-" || !strings.HasPrefix(f[6], "/") {
			if i != 0 {
				bad = append(bad, l)
			}
			continue
		}
		// The mount point is the rest of the line from column 7: it may hold spaces.
		mount := afterFields(l, 6)
		rows = append(rows, dfRow{Source: f[0], Type: f[1], Mount: mount, Size: n[0], Used: n[1], Avail: n[2]})
	}
	return rows, bad
}

// afterFields returns what follows the first n blank-separated fields of
// l, with surrounding blanks removed: the last column, spaces included.
func afterFields(l string, n int) string {
	rest := strings.TrimLeft(l, " \t")
	for i := 0; i < n; i++ {
		j := strings.IndexAny(rest, " \t")
		if j < 0 {
			return ""
		}
		rest = strings.TrimLeft(rest[j:], " \t")
	}
	return strings.TrimRight(rest, " \t")
}

// diskUse is what the check judges for one filesystem.
type diskUse struct {
	Mount, Type, Source string
	Blocks              dfRow
	Inodes              *dfRow // nil when the filesystem has no inode limit (btrfs, vfat)
}

// selectFilesystems keeps real filesystems not excluded, one per device.
func (c *diskCheck) selectFilesystems(blocks, inodes []dfRow) (uses []diskUse, skipped []string) {
	inodeByMount := map[string]dfRow{}
	for _, r := range inodes {
		inodeByMount[r.Mount] = r
	}
	seen := map[string]int{} // device and size → index in uses
	for _, r := range blocks {
		switch {
		case diskPseudoTypes[r.Type] || c.excludeTypes[r.Type]:
			continue
		case c.excluded(r.Mount):
			skipped = append(skipped, r.Mount+" (excluded)")
			continue
		case r.Size == 0:
			continue
		}
		key := r.Source + "\x00" + strconv.FormatInt(r.Size, 10)
		if !strings.HasPrefix(r.Source, "/") {
			// No device (tmpfs): two mounts of one size are two filesystems.
			key += "\x00" + r.Mount
		}
		if i, dup := seen[key]; dup {
			// A bind mount of the same device: keep the shortest mount point.
			dropped := r.Mount
			if len(r.Mount) < len(uses[i].Mount) {
				uses[i].Mount, dropped = r.Mount, uses[i].Mount
			}
			skipped = append(skipped, dropped+" (same device as "+uses[i].Mount+")")
			continue
		}
		u := diskUse{Mount: r.Mount, Type: r.Type, Source: r.Source, Blocks: r}
		if in, ok := inodeByMount[r.Mount]; ok && in.Size > 0 {
			in := in
			u.Inodes = &in
		}
		seen[key] = len(uses)
		uses = append(uses, u)
	}
	sort.Slice(uses, func(i, j int) bool { return uses[i].Mount < uses[j].Mount })
	return uses, skipped
}

// excluded reports whether mount matches an exclude entry.
func (c *diskCheck) excluded(mount string) bool {
	for _, g := range c.exclude {
		if g == mount {
			return true
		}
		if ok, _ := path.Match(g, mount); ok {
			return true
		}
	}
	return false
}

// level judges a percentage used.
func (c *diskCheck) level(pct float64) Status { return levelAtLeast(pct, c.warn, c.crit) }

// Evaluate judges the df tables printed by Command.
func (c *diskCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult("disk: " + err.Error())
	}
	bsec, ok := ss.Get("blocks")
	rc, stderr, haveRC := ss.exitStatus("blocks")
	if !ok || !haveRC {
		return unknownResult("disk: output lacks the df table")
	}
	blocks, bad := parseDF(bsec.Lines())
	if len(blocks) == 0 {
		switch {
		case rc == 124:
			return unknownResult("disk: df timed out after 10s (a hung mount?)")
		case rc != 0:
			return unknownResult(fmt.Sprintf("disk: df failed (exit %d: %s)", rc, orNone(firstLine([]byte(stderr), 120))))
		case len(bad) > 0:
			return unknownResult(fmt.Sprintf("disk: unrecognised df output: %q", clip(oneLine(bad[0]), 80)))
		}
		return unknownResult("disk: df listed no filesystem")
	}
	var details []string
	if rc != 0 || stderr != "" {
		details = append(details, fmt.Sprintf("df exit %d: %s", rc, clip(oneLine(stderr), 200)))
	}
	for _, l := range bad {
		details = append(details, "unparsed df line: "+clip(oneLine(l), 120))
	}
	var inodes []dfRow
	if isec, ok := ss.Get("inodes"); ok {
		inodes, _ = parseDF(isec.Lines())
	}
	if irc, istderr, ok := ss.exitStatus("inodes"); ok && irc != 0 && len(inodes) == 0 {
		details = append(details, fmt.Sprintf("inode use unknown: df -i exit %d: %s", irc, orNone(clip(oneLine(istderr), 200))))
	}

	uses, skipped := c.selectFilesystems(blocks, inodes)
	if len(uses) == 0 {
		res := unknownResult("disk: no real filesystem to check (all pseudo, images or excluded)")
		res.Details = strings.Join(append(details, skipped...), "\n")
		return res
	}
	type alarm struct {
		status Status
		pct    float64
		text   string
		reason string
	}
	var alarms []alarm
	var metrics []Metric
	fullest := uses[0]
	warnText := strconv.FormatFloat(c.warn, 'f', -1, 64)
	// Percentages are whole (rounded up): the verdict's "at least" is
	// written as the range it alerts above, so perfdata agrees with it.
	warnRange, critRange := alertAtLeast(c.warn, 1), alertAtLeast(c.crit, 1)
	for _, u := range uses {
		bp := u.Blocks.Percent()
		if bp > fullest.Blocks.Percent() {
			fullest = u
		}
		metrics = append(metrics, Metric{Name: u.Mount, Value: bp, Unit: "%", Warn: warnRange, Crit: critRange,
			Min: floatPtr(0), Max: floatPtr(100)})
		usable := u.Blocks.Used + u.Blocks.Avail
		line := fmt.Sprintf("%s (%s on %s): %s%% used: %s used + %s available = %s usable",
			u.Mount, u.Type, u.Source, formatPercent(bp), formatKiB(u.Blocks.Used), formatKiB(u.Blocks.Avail), formatKiB(usable))
		if u.Blocks.Size > usable {
			line += fmt.Sprintf(" (df size %s: %s reserved or not available to users)", formatKiB(u.Blocks.Size), formatKiB(u.Blocks.Size-usable))
		} else if u.Blocks.Size != usable {
			line += fmt.Sprintf(" (df size %s)", formatKiB(u.Blocks.Size))
		}
		if st := c.level(bp); st != OK {
			alarms = append(alarms, alarm{st, bp, fmt.Sprintf("%s %s%% used of %s usable (%s)", u.Mount, formatPercent(bp), formatKiB(usable), st), ReasonFSFull})
		}
		if u.Inodes != nil {
			ip := u.Inodes.Percent()
			metrics = append(metrics, Metric{Name: u.Mount + " inodes", Value: ip, Unit: "%", Warn: warnRange, Crit: critRange,
				Min: floatPtr(0), Max: floatPtr(100)})
			line += fmt.Sprintf("; inodes %s%% used (%d free)", formatPercent(ip), u.Inodes.Avail)
			if st := c.level(ip); st != OK {
				alarms = append(alarms, alarm{st, ip, fmt.Sprintf("%s inodes %s%% used (%s)", u.Mount, formatPercent(ip), st), ReasonInodesFull})
			}
		}
		details = append(details, line)
	}
	for _, s := range skipped {
		details = append(details, "skipped: "+s)
	}
	res := Result{Status: OK, Details: strings.Join(details, "\n"), Metrics: metrics}
	if len(alarms) == 0 {
		res.Summary = fmt.Sprintf("%s below %s%%; fullest %s at %s%% of %s usable", plural(float64(len(uses)), "filesystem"),
			warnText, fullest.Mount, formatPercent(fullest.Blocks.Percent()), formatKiB(fullest.Blocks.Used+fullest.Blocks.Avail))
		return res
	}
	sort.SliceStable(alarms, func(i, j int) bool {
		if alarms[i].status != alarms[j].status {
			return alarms[i].status.Worse(alarms[j].status)
		}
		return alarms[i].pct > alarms[j].pct
	})
	texts := make([]string, len(alarms))
	for i, a := range alarms {
		res.Status = Worst(res.Status, a.status)
		texts[i] = a.text
	}
	res.Summary = joinCapped(texts, 4)
	res.Reason = alarms[0].reason
	return res
}

// formatPercent writes a percentage without a needless fraction.
func formatPercent(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

// formatKiB writes a size given in KiB with a binary unit: "50.0 GiB".
func formatKiB(kib int64) string {
	v := float64(kib)
	for _, u := range []string{"KiB", "MiB", "GiB", "TiB"} {
		if v < 1024 {
			return fmt.Sprintf("%.1f %s", v, u)
		}
		v /= 1024
	}
	return fmt.Sprintf("%.1f PiB", v)
}

// orNone returns s, or "no message" when s is empty.
func orNone(s string) string {
	if s == "" {
		return "no message"
	}
	return s
}
