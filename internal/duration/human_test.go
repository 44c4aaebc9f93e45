package duration

import (
	"testing"
	"time"
)

func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 45 * time.Second: "45s", 12 * time.Minute: "12m", 5*time.Hour + 12*time.Minute: "5h12m",
		3 * time.Hour: "3h", 76 * time.Hour: "3d4h", 48 * time.Hour: "2d",
	} {
		if got := Human(d); got != want {
			t.Errorf("Human(%v) = %q, want %q", d, got, want)
		}
	}
}
