package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestPrometheusGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Prometheus(&buf, fixtureSweep(fixtureRecords())); err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep.prom", buf.Bytes())

	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("not valid exposition: %v", err)
	}
	for _, name := range []string{
		"fleetcheck_check_status", "fleetcheck_check_unreachable", "fleetcheck_check_duration_seconds",
		"fleetcheck_hosts", "fleetcheck_sweep_duration_seconds", "fleetcheck_sweep_complete",
		"fleetcheck_sweep_timestamp_seconds",
	} {
		f := families[name]
		if f == nil {
			t.Errorf("family %s missing", name)
			continue
		}
		if f.GetHelp() == "" || f.GetType().String() != "GAUGE" {
			t.Errorf("%s: help %q type %v", name, f.GetHelp(), f.GetType())
		}
	}
	if n := len(families["fleetcheck_check_status"].GetMetric()); n != 23 {
		t.Errorf("%d status series, want 23", n)
	}
	if n := len(families["fleetcheck_check_unreachable"].GetMetric()); n != 4 {
		t.Errorf("%d unreachable series, want 4", n)
	}
	values := map[string]float64{}
	for _, m := range families["fleetcheck_check_status"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		values[labels["host"]+"/"+labels["check"]+"/"+labels["team"]] = m.GetGauge().GetValue()
	}
	for key, want := range map[string]float64{
		"web05.dc1.example.org/puppet/infra-foundations": 2,
		"web02.dc1.example.org/disk/web":                 1,
		"web06.dc1.example.org/puppet/infra-foundations": 3,
		"cache1.dc2.example.org/disk/traffic":            3,
		"db3.dc1.example.org/disk/infra-triage":          0,
	} {
		if got, ok := values[key]; !ok || got != want {
			t.Errorf("status %s = %v (present %v), want %v", key, got, ok, want)
		}
	}
	hosts := map[string]float64{}
	for _, m := range families["fleetcheck_hosts"].GetMetric() {
		hosts[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	if hosts["ok"] != 2 || hosts["warning"] != 3 || hosts["critical"] != 4 || hosts["unknown"] != 1 || hosts["unreachable"] != 2 {
		t.Errorf("fleetcheck_hosts %v", hosts)
	}
	if v := families["fleetcheck_sweep_timestamp_seconds"].GetMetric()[0].GetGauge().GetValue(); v != 1795219202.134 {
		t.Errorf("timestamp %v", v)
	}
}

func TestPrometheusEscapesLabels(t *testing.T) {
	nasty := "we\"ird\\team\nx"
	r := rec(`host"1`, "chk\\", checks.Critical, "", &ownership.Owner{Team: nasty})
	var buf bytes.Buffer
	if err := Prometheus(&buf, fixtureSweep([]Record{r, r})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `team="we\"ird\\team\nx"`) {
		t.Errorf("label not escaped:\n%s", buf.String())
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("not valid exposition: %v\n%s", err, buf.String())
	}
	m := families["fleetcheck_check_status"].GetMetric()
	if len(m) != 1 {
		t.Fatalf("%d series for a duplicated record, want 1", len(m))
	}
	for _, l := range m[0].GetLabel() {
		if l.GetName() == "team" && l.GetValue() != nasty {
			t.Errorf("team label round-trips to %q", l.GetValue())
		}
	}
}

func TestPrometheusIncomplete(t *testing.T) {
	var buf bytes.Buffer
	if err := Prometheus(&buf, incompleteSweep()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "cache1") || strings.Contains(out, "cache2") {
		t.Errorf("checks the interruption prevented have series:\n%s", out)
	}
	if !strings.Contains(out, "\nfleetcheck_sweep_complete 0\n") {
		t.Errorf("incomplete sweep not marked:\n%s", out)
	}
	if !strings.Contains(out, `fleetcheck_hosts{status="unknown"} 1`) {
		t.Errorf("canceled hosts counted as unknown:\n%s", out)
	}
}
