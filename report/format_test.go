package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/health"
)

// Every registered format renders the golden of the function it stands for.
func TestFormatsRenderTheirGoldens(t *testing.T) {
	tests := []struct {
		format, golden string
		opts           FormatOptions
	}{
		{"table", "table_owners_200.txt", FormatOptions{Width: 200}},
		{"table", "table_owners_critical_80.txt", FormatOptions{Width: 80, Table: TableOptions{MinStatus: health.Critical}}},
		{"table", "table_owners_color.txt", FormatOptions{Width: 160, Color: true}},
		{"table", "table_owners_default.txt", FormatOptions{}},
		{"json", "sweep_owners.json", FormatOptions{Color: true, Width: 60}},
		{"ndjson", "sweep.ndjson", FormatOptions{}},
		{"prometheus", "sweep.prom", FormatOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+tt.golden, func(t *testing.T) {
			f, err := NewFormat(tt.format, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := f.Render(&buf, fixtureSweep(fixtureRecords())); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, buf.Bytes())
		})
	}
}

// Only NDJSON streams; a stream's output equals its batch rendering.
func TestFormatStreamers(t *testing.T) {
	for _, name := range FormatNames() {
		f, err := NewFormat(name, FormatOptions{})
		if err != nil {
			t.Fatal(err)
		}
		st, ok := f.(Streamer)
		if ok != (name == "ndjson") {
			t.Errorf("%s: streams %v, want only ndjson to", name, ok)
		}
		if !ok {
			continue
		}
		s := fixtureSweep(fixtureRecords())
		var streamed, batch bytes.Buffer
		w := st.Stream(&streamed)
		for _, r := range s.Results {
			if err := w.Result(r); err != nil {
				t.Fatal(err)
			}
		}
		head := *s
		head.Results = nil
		if err := w.Summary(&head); err != nil {
			t.Fatal(err)
		}
		if err := f.Render(&batch, s); err != nil {
			t.Fatal(err)
		}
		if streamed.String() != batch.String() {
			t.Errorf("%s: streamed\n%s\ndiffers from rendered\n%s", name, streamed.String(), batch.String())
		}
	}
}

func TestNewFormatUnknown(t *testing.T) {
	if got := strings.Join(FormatNames(), ","); got != "json,ndjson,prometheus,table" {
		t.Errorf("formats %s", got)
	}
	_, err := NewFormat("yaml", FormatOptions{})
	if err == nil || !strings.Contains(err.Error(), `unknown output format "yaml" (expected one of json, ndjson, prometheus, table)`) {
		t.Errorf("error %v", err)
	}
}
