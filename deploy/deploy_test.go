// Package deploy holds the recipes for running fleetcheck on existing
// schedulers (Kubernetes, cron, systemd); its tests check that the manifests say what
// the README promises.
package deploy

import (
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// k8sDocs decodes every document of a multi-document manifest.
func k8sDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
	return docs
}

// dig walks maps and lists by key or index ("0") and fails when a step is missing.
func dig(t *testing.T, v any, path ...string) any {
	t.Helper()
	for i, p := range path {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[p]; !ok {
				t.Fatalf("no %q at %s", p, strings.Join(path[:i], "."))
			}
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n >= len(x) {
				t.Fatalf("no index %s at %s", p, strings.Join(path[:i], "."))
			}
			v = x[n]
		default:
			t.Fatalf("%s is a %T, not a map or list", strings.Join(path[:i], "."), v)
		}
	}
	return v
}

// cronJob finds the named CronJob among the documents.
func cronJob(t *testing.T, docs []map[string]any, name string) map[string]any {
	t.Helper()
	for _, d := range docs {
		if d["kind"] == "CronJob" && dig(t, d, "metadata", "name") == name {
			return d
		}
	}
	t.Fatalf("no CronJob %s", name)
	return nil
}

// stringList converts a decoded YAML list of strings.
func stringList(t *testing.T, v any) []string {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%v is not a list", v)
	}
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(string)
	}
	return out
}

// TestKubernetesIndexedSweep checks the fields the sharded sweep depends on:
// an Indexed Job whose completion index is the shard index, as many shards
// as completions and parallelism, keys and known_hosts from a Secret, and
// each shard's document written to a shared volume under its own name.
func TestKubernetesIndexedSweep(t *testing.T) {
	docs := k8sDocs(t, "kubernetes/fleetcheck.yaml")
	cj := cronJob(t, docs, "fleetcheck-sweep")
	job := dig(t, cj, "spec", "jobTemplate", "spec").(map[string]any)
	if job["completionMode"] != "Indexed" {
		t.Errorf("completionMode = %v, want Indexed", job["completionMode"])
	}
	if job["completions"] != job["parallelism"] {
		t.Errorf("completions %v != parallelism %v: shards would run one after another", job["completions"], job["parallelism"])
	}
	if dig(t, cj, "spec", "concurrencyPolicy") != "Forbid" {
		t.Error("concurrencyPolicy is not Forbid: two sweeps could overlap")
	}
	c := dig(t, job, "template", "spec", "containers", "0").(map[string]any)
	args := stringList(t, c["args"])
	if args[0] != "sweep" {
		t.Fatalf("args start %q, want sweep", args[0])
	}
	want := "--shard=$(JOB_COMPLETION_INDEX)/" + strconv.Itoa(job["completions"].(int))
	if !slices.Contains(args, want) {
		t.Errorf("args %v lack %s", args, want)
	}
	if !slices.Contains(args, "--output=json") || !slices.Contains(args, "--output-file=/shards/shard-$(JOB_COMPLETION_INDEX).json") {
		t.Errorf("args %v do not write the shard's JSON document to /shards under its own name", args)
	}
	env := dig(t, c, "env", "0").(map[string]any)
	if env["name"] != "JOB_COMPLETION_INDEX" ||
		dig(t, env, "valueFrom", "fieldRef", "fieldPath") != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("JOB_COMPLETION_INDEX is not taken from the completion index annotation: %v", env)
	}
	vols := dig(t, job, "template", "spec", "volumes").([]any)
	var secret, shared bool
	for _, v := range vols {
		v := v.(map[string]any)
		if p, ok := v["projected"].(map[string]any); ok {
			for _, s := range p["sources"].([]any) {
				sec, ok := s.(map[string]any)["secret"].(map[string]any)
				if !ok {
					continue
				}
				var keys []string
				for _, it := range sec["items"].([]any) {
					keys = append(keys, it.(map[string]any)["key"].(string))
				}
				secret = slices.Contains(keys, "known_hosts") && slices.Contains(keys, "id_ed25519")
			}
		}
		if v["name"] == "shards" && v["persistentVolumeClaim"] != nil {
			shared = true
		}
	}
	if !secret {
		t.Error("known_hosts and the key do not come from a Secret")
	}
	if !shared {
		t.Error("no shared shards volume")
	}
	for _, d := range docs {
		if d["kind"] == "PersistentVolumeClaim" && dig(t, d, "metadata", "name") == "fleetcheck-shards" &&
			!slices.Contains(stringList(t, dig(t, d, "spec", "accessModes")), "ReadWriteMany") {
			t.Error("the shards volume must be ReadWriteMany: every shard's pod writes to it")
		}
	}
}

// TestKubernetesMerge checks that the merge step reads exactly the shard
// documents the sweep writes, each index once.
func TestKubernetesMerge(t *testing.T) {
	docs := k8sDocs(t, "kubernetes/fleetcheck.yaml")
	sweep := dig(t, cronJob(t, docs, "fleetcheck-sweep"), "spec", "jobTemplate", "spec").(map[string]any)
	n := sweep["completions"].(int)
	merge := cronJob(t, docs, "fleetcheck-merge")
	args := stringList(t, dig(t, merge, "spec", "jobTemplate", "spec", "template", "spec", "containers", "0", "args"))
	if args[0] != "merge" {
		t.Fatalf("merge args start %q", args[0])
	}
	var files []string
	for _, a := range args {
		if strings.HasPrefix(a, "/shards/shard-") {
			files = append(files, a)
		}
	}
	if len(files) != n {
		t.Fatalf("merge reads %d shard files, the sweep writes %d", len(files), n)
	}
	for i := range n {
		if !slices.Contains(files, "/shards/shard-"+strconv.Itoa(i)+".json") {
			t.Errorf("merge does not read shard %d", i)
		}
	}
}

// TestKubernetesPost checks that digest --post runs on the store the merge
// records into, after the merge.
func TestKubernetesPost(t *testing.T) {
	docs := k8sDocs(t, "kubernetes/fleetcheck.yaml")
	merge := cronJob(t, docs, "fleetcheck-merge")
	post := cronJob(t, docs, "fleetcheck-post")
	container := func(cj map[string]any) []string {
		return stringList(t, dig(t, cj, "spec", "jobTemplate", "spec", "template", "spec", "containers", "0", "args"))
	}
	args := container(post)
	if len(args) < 2 || args[0] != "digest" || args[1] != "--post" {
		t.Fatalf("post args %q: want digest --post", args)
	}
	store := func(args []string) string {
		for _, a := range args {
			if strings.HasPrefix(a, "--state=") {
				return a
			}
		}
		return ""
	}
	if store(args) == "" || store(args) != store(container(merge)) {
		t.Errorf("post's %q is not the merge's %q", store(args), store(container(merge)))
	}
	minute := func(cj map[string]any) int {
		m, err := strconv.Atoi(strings.Fields(dig(t, cj, "spec", "schedule").(string))[0])
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if minute(post) <= minute(merge) {
		t.Errorf("post at minute %d, not after the merge (%d)", minute(post), minute(merge))
	}
}

// TestCronRecipe checks the bastion recipe: every bastion sweeps its shard
// of SHARDS into the shared directory, one merges what the others wrote
// and then posts the digests (digest --post on the merged store).
func TestCronRecipe(t *testing.T) {
	b, err := os.ReadFile("cron/fleetcheck.cron")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, re := range []string{
		`(?m)^0 \* \* \* \* +fleetcheck +fleetcheck sweep .*--shard \$SHARD/\$SHARDS .*-o json --output-file /srv/fleetcheck/shards/shard-\$SHARD\.json$`,
		`(?m)^10 \* \* \* \* +fleetcheck +\[ "\$SHARD" = 0 \] && fleetcheck merge .*--state /var/lib/fleetcheck/fleet\.db .* /srv/fleetcheck/shards/shard-\*\.json$`,
		`(?m)^15 \* \* \* \* +fleetcheck +\[ "\$SHARD" = 0 \] && fleetcheck digest --post .*--state /var/lib/fleetcheck/fleet\.db$`,
		`(?m)^SHARDS=\d+$`,
	} {
		if !regexp.MustCompile(re).MatchString(s) {
			t.Errorf("cron recipe lacks a line matching %s", re)
		}
	}
	if strings.Contains(s, "%") {
		t.Error("cron recipe holds a %, which cron turns into a newline")
	}
}

// unit reads a systemd unit file: section -> key -> values, in order.
func unit(t *testing.T, path string) map[string]map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string][]string{}
	section := ""
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			out[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a key=value in a section: %q", path, i+1, line)
			}
			out[section][k] = append(out[section][k], v)
		}
	}
	return out
}

// TestSystemdUnits checks the service and timer pair: every hour a sweep
// into the store, then digest --post on the same store; the sweep's
// failure codes (1-3) do not stop the post, the post's 75/76 fail the unit.
func TestSystemdUnits(t *testing.T) {
	svc := unit(t, "systemd/fleetcheck.service")["Service"]
	one := func(k string) string {
		t.Helper()
		if len(svc[k]) != 1 {
			t.Fatalf("fleetcheck.service: want one %s=, got %q", k, svc[k])
		}
		return svc[k][0]
	}
	if one("Type") != "oneshot" || one("User") != "fleetcheck" || one("StateDirectory") != "fleetcheck" {
		t.Errorf("fleetcheck.service: Type %q User %q StateDirectory %q", one("Type"), one("User"), one("StateDirectory"))
	}
	sweep, post := one("ExecStart"), one("ExecStartPost")
	store := "--state /var/lib/fleetcheck/fleet.db"
	if !strings.HasPrefix(sweep, "/usr/local/bin/fleetcheck sweep ") || !strings.Contains(sweep, store) || !strings.Contains(sweep, "--no-progress") {
		t.Errorf("ExecStart %q: want fleetcheck sweep %s --no-progress", sweep, store)
	}
	if !strings.HasPrefix(post, "/usr/local/bin/fleetcheck digest --post ") || !strings.Contains(post, store) || strings.HasPrefix(post, "-") {
		t.Errorf("ExecStartPost %q: want fleetcheck digest --post %s, its failure not ignored", post, store)
	}
	if got := strings.Fields(one("SuccessExitStatus")); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("SuccessExitStatus %v: want the sweep's 1 2 3 (failures found) only", got)
	}
	timer := unit(t, "systemd/fleetcheck.timer")
	if tm := timer["Timer"]; !slices.Equal(tm["OnCalendar"], []string{"hourly"}) || !slices.Equal(tm["Unit"], []string{"fleetcheck.service"}) || !slices.Equal(tm["Persistent"], []string{"true"}) {
		t.Errorf("fleetcheck.timer [Timer] %v", tm)
	}
	if !slices.Equal(timer["Install"]["WantedBy"], []string{"timers.target"}) {
		t.Errorf("fleetcheck.timer is not wanted by timers.target: %v", timer["Install"])
	}
}

// TestStaticBinary builds the product as the Dockerfile does and checks that
// it is static (no program interpreter, no shared libraries), so that it
// runs in a distroless or scratch image.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	df, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(df), "CGO_ENABLED=0 go build") {
		t.Error("the Dockerfile does not build with CGO_ENABLED=0")
	}
	if !regexp.MustCompile(`(?m)^USER [1-9]`).Match(df) {
		t.Error("the Dockerfile does not run as a non-root user")
	}
	bin := filepath.Join(t.TempDir(), "fleetcheck")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/fleetcheck")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Skipf("not an ELF binary on this platform: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has a program interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
}
