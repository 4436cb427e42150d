package axme

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

type sseVector struct {
	Name   string `json:"name"`
	Input  string `json:"input"`
	Events []struct {
		ID    *string `json:"id"`
		Event string  `json:"event"`
		Data  string  `json:"data"`
	} `json:"events"`
	RetryMS *int `json:"retry_ms"`
}

func loadSSEVectors(t *testing.T) []sseVector {
	t.Helper()
	path := filepath.Join("..", "conformance", "vectors", "sse.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading shared SSE vectors: %v", err)
	}
	var file struct {
		Vectors []sseVector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	if len(file.Vectors) == 0 {
		t.Fatalf("%s has no vectors", path)
	}
	return file.Vectors
}

// collect parses input fully; readers vary the chunking so that line endings
// split across reads (CR | LF) are exercised.
func collect(t *testing.T, r io.Reader) ([]sseEvent, *sseParser) {
	t.Helper()
	p := newSSEParser(r)
	var out []sseEvent
	for {
		ev, err := p.next()
		if errors.Is(err, io.EOF) {
			return out, p
		}
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		out = append(out, ev)
	}
}

func TestSSEVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadSSEVectors(t) {
		for name, mk := range map[string]func(string) io.Reader{
			"whole":    func(s string) io.Reader { return strings.NewReader(s) },
			"one-byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		} {
			t.Run(v.Name+"/"+name, func(t *testing.T) {
				got, p := collect(t, mk(v.Input))
				if len(got) != len(v.Events) {
					t.Fatalf("got %d events %+v, want %d %+v", len(got), got, len(v.Events), v.Events)
				}
				for i, want := range v.Events {
					g := got[i]
					if want.ID == nil && g.HasID || want.ID != nil && (!g.HasID || g.ID != *want.ID) {
						t.Errorf("event %d id = %q (set=%v), want %v", i, g.ID, g.HasID, want.ID)
					}
					if g.Event != want.Event || g.Data != want.Data {
						t.Errorf("event %d = (%q, %q), want (%q, %q)", i, g.Event, g.Data, want.Event, want.Data)
					}
				}
				ms, ok := p.retry()
				if (v.RetryMS == nil) == ok || v.RetryMS != nil && *v.RetryMS != ms {
					t.Errorf("retry = %d (set=%v), want %v", ms, ok, v.RetryMS)
				}
			})
		}
	}
}

// TestSSEYieldsBeforeEOF proves events are returned while the stream is
// still open: the reader blocks after the first frame.
func TestSSEYieldsBeforeEOF(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write([]byte("id: 1\ndata: first\n\n")) }()
	p := newSSEParser(pr)
	ev, err := p.next()
	if err != nil || ev.Data != "first" || ev.ID != "1" {
		t.Fatalf("next() = %+v, %v; want first event before EOF", ev, err)
	}
}

func TestSSEReadErrorSurfaces(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	p := newSSEParser(io.MultiReader(strings.NewReader("data: a\n"), iotest.ErrReader(boom)))
	if _, err := p.next(); !errors.Is(err, boom) {
		t.Fatalf("next() error = %v, want %v", err, boom)
	}
}
