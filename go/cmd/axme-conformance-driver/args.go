package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	axme "github.com/axme-ai/axme/go"
)

func str(a map[string]any, key string) string {
	s, _ := a[key].(string)
	return s
}

func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case json.Number:
		f, _ := n.Float64()
		return f
	case int:
		return float64(n)
	}
	return 0
}

func millis(v any) time.Duration { return time.Duration(num(v) * float64(time.Millisecond)) }

func optStr(a map[string]any, key string) *string {
	if s, ok := a[key].(string); ok {
		return &s
	}
	return nil
}

func optInt(a map[string]any, key string) *int {
	if v, ok := a[key]; ok && v != nil {
		n := int(num(v))
		return &n
	}
	return nil
}

// query reads the call's query parameters into the SDK's parameter struct T field by
// field, by json tag. A member of the wrong type is left out (the server's default
// applies); args that are not a field of T (path parameters) are not query parameters.
func query[T any](a map[string]any) *T {
	p := new(T)
	fields := reflect.ValueOf(p).Elem()
	for i := 0; i < fields.NumField(); i++ {
		name, _, _ := strings.Cut(fields.Type().Field(i).Tag.Get("json"), ",")
		value, ok := a[name]
		if name == "" || !ok {
			continue
		}
		raw, _ := json.Marshal(value)
		decoded := reflect.New(fields.Field(i).Type())
		if json.Unmarshal(raw, decoded.Interface()) == nil {
			fields.Field(i).Set(decoded.Elem())
		}
	}
	return p
}

func obj(a map[string]any, key string) map[string]any {
	m, _ := a[key].(map[string]any)
	return m
}

// body returns args without the named path/query parameters.
func body(a map[string]any, drop ...string) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

// typed decodes wire JSON into the SDK's typed request. Members the typed
// value cannot carry exactly (unknown members, explicit nulls, wrong types)
// are sent as given through axme.WithExtraFields, so the server sees the
// harness's body, as it would from a user of the SDK's escape hatch.
func typed[T any](b map[string]any) (T, []axme.RequestOption) {
	var v T
	raw, _ := json.Marshal(b)
	if json.Unmarshal(raw, &v) != nil {
		var zero T
		return zero, []axme.RequestOption{axme.WithExtraFields(b)}
	}
	back, _ := json.Marshal(v)
	var round map[string]any
	_ = json.Unmarshal(back, &round)
	extra := map[string]any{}
	for k, want := range b {
		if got, ok := round[k]; !ok || !sameJSON(got, want) {
			extra[k] = want
		}
	}
	if len(extra) == 0 {
		return v, nil
	}
	return v, []axme.RequestOption{axme.WithExtraFields(extra)}
}

func sameJSON(a, b any) bool {
	ra, _ := json.Marshal(a)
	rb, _ := json.Marshal(b)
	var na, nb any
	_ = json.Unmarshal(ra, &na)
	_ = json.Unmarshal(rb, &nb)
	return reflect.DeepEqual(na, nb)
}
