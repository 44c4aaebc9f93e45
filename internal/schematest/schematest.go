// Package schematest validates documents in tests against the JSON Schemas
// of report/schema, all of them loaded so that their $refs resolve.
package schematest

import (
	"bytes"
	"testing"

	"github.com/fleetcheck/fleetcheck/report"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// base is the $id prefix shared by the schema files.
const base = "https://github.com/fleetcheck/fleetcheck/report/schema/"

// files are the schemas by file name.
func files() map[string][]byte {
	return map[string][]byte{
		"sweep-v1.json":   report.SchemaV1,
		"digest-v1.json":  report.DigestSchemaV1,
		"history-v1.json": report.HistorySchemaV1,
		"budget-v1.json":  report.BudgetSchemaV1,
	}
}

// Compile compiles the schema file name (such as "budget-v1.json") with
// formats asserted, failing t when a schema is not valid.
func Compile(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for file, text := range files() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
		if err != nil {
			t.Fatalf("schema %s is not JSON: %v", file, err)
		}
		if err := c.AddResource(base+file, doc); err != nil {
			t.Fatalf("schema %s: %v", file, err)
		}
	}
	sch, err := c.Compile(base + name)
	if err != nil {
		t.Fatalf("schema %s does not compile: %v", name, err)
	}
	return sch
}

// Check returns why doc does not validate against sch (nil when it does).
func Check(sch *jsonschema.Schema, doc []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// Validate reports a test error, with the document, when doc does not
// validate against the schema file name.
func Validate(t testing.TB, name string, doc []byte) {
	t.Helper()
	if err := Check(Compile(t, name), doc); err != nil {
		t.Errorf("document does not validate against %s: %v\n%s", name, err, doc)
	}
}
