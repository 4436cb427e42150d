package main

import "testing"

// Each call is in exactly one table; a listed helper reaches the driver only through
// the generated one (make gen after editing helperCalls).
func TestEveryCallIsInOneTable(t *testing.T) {
	for _, name := range helperCalls {
		if _, ok := generatedCalls[name]; !ok {
			t.Errorf("helperCalls lists %s, which generatedCalls lacks: run make -C go gen", name)
		}
	}
	for name := range handWritten {
		if _, ok := generatedCalls[name]; ok {
			t.Errorf("%s is both hand-written and generated", name)
		}
	}
}
