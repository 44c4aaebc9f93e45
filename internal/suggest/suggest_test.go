package suggest

import "testing"

func TestNearest(t *testing.T) {
	names := []string{"puppet", "disk", "traffic", "triage"}
	for word, want := range map[string]string{"pupet": "puppet", "dsk": "disk", "trafic": "traffic", "x": "", "network": ""} {
		if got := Nearest(word, names); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", word, got, want)
		}
	}
	if got := DidYouMean("dsk", names); got != ` (did you mean "disk"?)` {
		t.Errorf("DidYouMean(dsk) = %q", got)
	}
	if got := DidYouMean("network", names); got != "" {
		t.Errorf("DidYouMean(network) = %q, want nothing", got)
	}
}
