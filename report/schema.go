package report

import _ "embed"

// SchemaV1 is the JSON Schema (draft 2020-12) of the fleetcheck.sweep/v1
// document.
//
//go:embed schema/sweep-v1.json
var SchemaV1 []byte

// DigestSchemaV1 is the JSON Schema (draft 2020-12) of the
// fleetcheck.digest/v1 document.
//
//go:embed schema/digest-v1.json
var DigestSchemaV1 []byte

// HistorySchemaV1 is the JSON Schema (draft 2020-12) of the
// fleetcheck.history/v1 document.
//
//go:embed schema/history-v1.json
var HistorySchemaV1 []byte

// BudgetSchemaV1 is the JSON Schema (draft 2020-12) of the
// fleetcheck.budget/v1 document; its items are digest-v1.json's budget.
//
//go:embed schema/budget-v1.json
var BudgetSchemaV1 []byte
