package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

func TestSnakeGivesTheWireName(t *testing.T) {
	for in, want := range map[string]string{"intentID": "intent_id", "keyID": "key_id", "address": "address", "deliveryID": "delivery_id", "overlapSeconds": "overlap_seconds"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}

func method(t *testing.T, src string) *ast.FuncDecl {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", "package axme\n"+src, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f.Decls[0].(*ast.FuncDecl)
}

func TestAdapterReadsPathQueryAndBodyParameters(t *testing.T) {
	fn := method(t, `func (c *Client) Do(ctx context.Context, intentID string, params *DoParams, req DoRequest, opts ...RequestOption) (*X, error) { return nil, nil }`)
	got, err := adapter(operation{canonical: "doIt", method: "Do"}, fn)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`req, opts := typed[axme.DoRequest](body(a, "intent_id"))`,
		`c.Do(ctx, str(a, "intent_id"), query[axme.DoParams](a), req, append(opts, raw)...)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("adapter lacks %s:\n%s", want, got)
		}
	}
}

func TestAdapterRefusesWhatItCannotRead(t *testing.T) {
	for _, src := range []string{
		`func (c *Client) Do(ctx context.Context, ids []string, opts ...RequestOption) error { return nil }`,
		`func (c *Client) Do(ctx context.Context, a A, b B, opts ...RequestOption) error { return nil }`,
		`func (c *Client) Do(ctx context.Context, id string) error { return nil }`,
	} {
		if _, err := adapter(operation{canonical: "doIt", method: "Do"}, method(t, src)); err == nil {
			t.Errorf("adapter accepted %s", src)
		}
	}
}

func TestAHelperReadsEachParameterByName(t *testing.T) {
	fn := method(t, `func (c *Client) CompleteTask(ctx context.Context, intentID, outcome string, data map[string]any, comment string, opts ...RequestOption) (*X, error) { return nil, nil }`)
	got, err := adapter(operation{canonical: "completeTask", method: "CompleteTask", named: true}, fn)
	if err != nil {
		t.Fatal(err)
	}
	want := `c.CompleteTask(ctx, str(a, "intent_id"), str(a, "outcome"), obj(a, "data"), str(a, "comment"), raw)`
	if !strings.Contains(got, want) {
		t.Errorf("adapter lacks %s:\n%s", want, got)
	}
	// A typed request is a body, which a helper's named arguments never are.
	typedReq := method(t, `func (c *Client) FailIntent(ctx context.Context, intentID string, failure IntentError, opts ...RequestOption) (*X, error) { return nil, nil }`)
	if _, err := adapter(operation{canonical: "failIntent", method: "FailIntent", named: true}, typedReq); err == nil {
		t.Error("adapter read a helper's typed parameter as a body")
	}
}

func TestHelperCallsMustNameAHelperThatIsNotHandWritten(t *testing.T) {
	naming := namingFile{helpers: []operation{{canonical: "cancelIntent", method: "CancelIntent"}}}
	ok := driverCalls{handWritten: map[string]bool{}, helperCalls: []string{"cancelIntent"}}
	if got, err := chosenHelpers(naming, ok); err != nil || len(got) != 1 || !got[0].named {
		t.Fatalf("chosenHelpers = %v, %v; want cancelIntent read by name", got, err)
	}
	for _, bad := range []driverCalls{
		{handWritten: map[string]bool{}, helperCalls: []string{"observe"}},
		{handWritten: map[string]bool{"cancelIntent": true}, helperCalls: []string{"cancelIntent"}},
	} {
		if _, err := chosenHelpers(naming, bad); err == nil {
			t.Errorf("chosenHelpers accepted %+v", bad)
		}
	}
}
