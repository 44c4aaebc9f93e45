package schematest

import "testing"

// TestSchemasRefuse checks that each schema compiles and rejects what it
// must: a wrong schema name, a missing required field, a bad type, and
// (through budget-v1.json's $ref into digest-v1.json) a bad budget.
func TestSchemasRefuse(t *testing.T) {
	tests := []struct {
		name, file, doc string
		ok              bool
	}{
		{"history empty", "history-v1.json", `{"schema":"fleetcheck.history/v1","host":"h1","generated_at":"2026-01-01T00:00:00Z","episodes":[]}`, true},
		{"history wrong schema name", "history-v1.json", `{"schema":"fleetcheck.sweep/v1","host":"h1","generated_at":"2026-01-01T00:00:00Z","episodes":[]}`, false},
		{"history bad time", "history-v1.json", `{"schema":"fleetcheck.history/v1","host":"h1","generated_at":"yesterday","episodes":[]}`, false},
		{"history no episodes", "history-v1.json", `{"schema":"fleetcheck.history/v1","host":"h1","generated_at":"2026-01-01T00:00:00Z"}`, false},
		{"history ended without end", "history-v1.json", `{"schema":"fleetcheck.history/v1","host":"h1","generated_at":"2026-01-01T00:00:00Z","episodes":[` +
			`{"check":"disk","status":"WARNING","summary":"s","team":"t","unowned":false,"began":"2026-01-01T00:00:00Z","last_seen":"2026-01-01T00:00:00Z","ended":"2026-01-01T01:00:00Z","changes":[],"age_s":3600}]}`, false},
		{"budget empty", "budget-v1.json", `{"schema":"fleetcheck.budget/v1","budgets":[]}`, true},
		{"budget no budgets", "budget-v1.json", `{"schema":"fleetcheck.budget/v1"}`, false},
		{"budget missing fields", "budget-v1.json", `{"schema":"fleetcheck.budget/v1","budgets":[{"team":"t","window_s":60}]}`, false},
		{"budget observed over 1", "budget-v1.json", `{"schema":"fleetcheck.budget/v1","budgets":[{"team":"t","window_s":60,"host_checks":1,"total_s":60,"failing_s":0,` +
			`"warning_s":0,"critical_s":0,"unknown_s":0,"unreachable_s":0,"maintenance_s":0,"observed":1.5}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(Compile(t, tt.file), []byte(tt.doc))
			if tt.ok && err != nil {
				t.Errorf("valid document refused: %v", err)
			}
			if !tt.ok && err == nil {
				t.Errorf("invalid document accepted")
			}
		})
	}
}
