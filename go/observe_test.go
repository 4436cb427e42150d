package axme

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func eventJSON(seq int, status string) string {
	return fmt.Sprintf(`{"intent_id":"i1","seq":%d,"event_type":"intent.progress","at":"2026-01-01T00:00:00.000Z","status":%q,"waiting_reason":null,"pending_with":null,"actor":null,"channel":null,"data":{}}`, seq, status)
}

func frame(seq int, status string) string {
	return fmt.Sprintf("id: %d\nevent: intent.progress\ndata: %s\n\n", seq, eventJSON(seq, status))
}

// sse writes the frames and flushes after each one, then optionally holds
// the connection open until the client goes away.
func sse(hold bool, frames ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		fl := w.(http.Flusher)
		_, _ = w.Write([]byte("retry: 10\n\n"))
		fl.Flush()
		for _, f := range frames {
			_, _ = w.Write([]byte(f))
			fl.Flush()
		}
		if hold {
			<-r.Context().Done()
		}
	}
}

func collectSeqs(t *testing.T, s *EventStream) []int {
	t.Helper()
	var seqs []int
	for s.Next() {
		seqs = append(seqs, s.Current().Seq)
	}
	return seqs
}

func TestObserveYieldsEachEventWhileConnectionIsOpen(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(frame(1, "SUBMITTED")))
		w.(http.Flusher).Flush()
		<-release // the server keeps the connection open
		_, _ = w.Write([]byte(frame(2, "COMPLETED")))
	})
	s := rec.client().Observe(t.Context(), "i1", nil)
	defer s.Close()
	if !s.Next() || s.Current().Seq != 1 {
		t.Fatalf("first event not yielded while the stream is open: %v", s.Err())
	}
	close(release)
	if !s.Next() || s.Current().Seq != 2 || s.Next() || s.Err() != nil {
		t.Fatalf("want event 2 then a clean end, err %v", s.Err())
	}
}

func TestObserveResumesAfterDropWithoutDuplicates(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t,
		sse(false, frame(1, "SUBMITTED"), frame(2, "DELIVERED")), // dropped here
		sse(false, frame(2, "DELIVERED"), frame(3, "COMPLETED")), // server replays 2
	)
	s := rec.client().Observe(t.Context(), "i1", nil)
	got := collectSeqs(t, s)
	if s.Err() != nil || fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("seqs %v err %v; want [1 2 3] and no error", got, s.Err())
	}
	reqs := rec.all()
	if len(reqs) != 2 {
		t.Fatalf("%d connections, want 2", len(reqs))
	}
	if reqs[0].Header.Get("Last-Event-ID") != "" || !strings.HasSuffix(reqs[0].RequestURI, "/v1/intents/i1/events/stream") {
		t.Errorf("first connect = %s Last-Event-ID %q", reqs[0].RequestURI, reqs[0].Header.Get("Last-Event-ID"))
	}
	if reqs[1].Header.Get("Last-Event-ID") != "2" || !strings.Contains(reqs[1].RequestURI, "since=2") {
		t.Errorf("resume = %s Last-Event-ID %q; want since=2 and Last-Event-ID 2", reqs[1].RequestURI, reqs[1].Header.Get("Last-Event-ID"))
	}
	if reqs[1].Header.Get("Accept") != "text/event-stream" {
		t.Errorf("Accept = %q", reqs[1].Header.Get("Accept"))
	}
}

func TestObserveReconnectsAfterStreamTimeoutFrame(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t,
		sse(false, frame(1, "SUBMITTED"), "event: stream.timeout\ndata: {\"next_seq\":1}\n\n"),
		sse(false, frame(2, "CANCELED")),
	)
	s := rec.client().Observe(t.Context(), "i1", &ObserveOptions{WaitSeconds: 5})
	if got := collectSeqs(t, s); fmt.Sprint(got) != "[1 2]" || s.Err() != nil {
		t.Fatalf("seqs %v err %v", got, s.Err())
	}
	if uri := rec.all()[0].RequestURI; !strings.Contains(uri, "wait_seconds=5") {
		t.Errorf("request %s lacks wait_seconds", uri)
	}
}

func TestObserveIdleTimeoutReconnects(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t,
		sse(true, frame(1, "SUBMITTED")), // then silence, connection open
		sse(false, frame(2, "COMPLETED")),
	)
	c := rec.client(func(c *ClientConfig) { c.StreamIdleTimeout = 100 * time.Millisecond })
	s := c.Observe(t.Context(), "i1", nil)
	if got := collectSeqs(t, s); fmt.Sprint(got) != "[1 2]" || s.Err() != nil {
		t.Fatalf("seqs %v err %v; an idle stream must be reconnected", got, s.Err())
	}
}

func TestObserveGivesUpAfterMaxReconnects(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, sse(false)) // connects, sends nothing, closes
	s := rec.client().Observe(t.Context(), "i1", &ObserveOptions{MaxReconnects: 2})
	if s.Next() {
		t.Fatal("no event expected")
	}
	if !errors.Is(s.Err(), ErrStream) || len(rec.all()) != 3 {
		t.Fatalf("err %v after %d connections; want ErrStream after 1 + 2 reconnects", s.Err(), len(rec.all()))
	}
	reqs := rec.all()
	if reqs[2].At.Sub(reqs[1].At) <= 0 {
		t.Fatal("reconnects must be spaced by backoff")
	}
}

func TestObserveFailedConnectsEndInStreamError(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(503, errBody("unavailable")))
	s := rec.client().Observe(t.Context(), "i1", nil)
	if s.Next() {
		t.Fatal("no event expected")
	}
	// REQ-OBSERVE-006: max(MaxRetries, 5) + 1 failed connections, then StreamError
	// (wrapping the last failure).
	if !errors.Is(s.Err(), ErrStream) || !errors.Is(s.Err(), ErrServer) || len(rec.all()) != 6 {
		t.Fatalf("err %v after %d connections; want ErrStream after 6", s.Err(), len(rec.all()))
	}
	// Above the floor of 5, MaxRetries sets the limit: 7 + 1 connections.
	patient := newRecorder(t, reply(503, errBody("unavailable")))
	s = patient.client(func(c *ClientConfig) { c.MaxRetries = Ptr(7) }).Observe(t.Context(), "i1", nil)
	if s.Next() {
		t.Fatal("no event expected")
	}
	if !errors.Is(s.Err(), ErrStream) || len(patient.all()) != 8 {
		t.Fatalf("err %v after %d connections; want ErrStream after 8", s.Err(), len(patient.all()))
	}
}

func TestObserveMalformedEventIsStreamError(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, sse(false, "id: 1\nevent: intent.progress\ndata: {not json\n\n"))
	s := rec.client().Observe(t.Context(), "i1", nil)
	if s.Next() || !errors.Is(s.Err(), ErrStream) {
		t.Fatalf("err = %v; want ErrStream", s.Err())
	}
}

func TestObserveUnknownIntentIsNotFound(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(404, errBody("intent_not_found")))
	s := rec.client().Observe(t.Context(), "nope", nil)
	if s.Next() || !errors.Is(s.Err(), ErrNotFound) || len(rec.all()) != 1 {
		t.Fatalf("err = %v after %d requests; want ErrNotFound without polling", s.Err(), len(rec.all()))
	}
}

func TestObserveFallsBackToPollingWhenStreamMissing(t *testing.T) {
	t.Parallel()
	for _, status := range []int{404, 405, 501} {
		page := func(body string) http.HandlerFunc { return reply(200, body) }
		rec := newRecorder(t,
			reply(status, errBody("not_found")),
			page(`{"ok":true,"events":[`+eventJSON(1, "SUBMITTED")+`],"next_seq":2}`),
			page(`{"ok":true,"events":[],"next_seq":2}`),
			page(`{"ok":true,"events":[`+eventJSON(1, "SUBMITTED")+","+eventJSON(2, "FAILED")+`],"next_seq":3}`),
		)
		s := rec.client().Observe(t.Context(), "i1", nil)
		if got := collectSeqs(t, s); fmt.Sprint(got) != "[1 2]" || s.Err() != nil {
			t.Fatalf("status %d: seqs %v err %v", status, got, s.Err())
		}
		reqs := rec.all()
		if !strings.Contains(reqs[1].RequestURI, "/events?") || !strings.Contains(reqs[3].RequestURI, "since=1") {
			t.Errorf("status %d: polls %s, %s", status, reqs[1].RequestURI, reqs[3].RequestURI)
		}
	}
}

func TestObserveRetriesServerErrorsThenStreams(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(503, errBody("unavailable")), sse(false, frame(1, "COMPLETED")))
	s := rec.client().Observe(t.Context(), "i1", nil)
	if got := collectSeqs(t, s); fmt.Sprint(got) != "[1]" || s.Err() != nil {
		t.Fatalf("seqs %v err %v", got, s.Err())
	}
}

func TestObserveCancellationEndsPromptly(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, sse(true, frame(1, "SUBMITTED")))
	ctx, cancel := context.WithCancel(t.Context())
	s := rec.client().Observe(ctx, "i1", nil)
	if !s.Next() {
		t.Fatalf("first event: %v", s.Err())
	}
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if s.Next() || !errors.Is(s.Err(), context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", s.Err())
	}
}

func TestObserveAllIterator(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, sse(false, frame(1, "SUBMITTED"), frame(2, "TIMED_OUT")))
	var seqs []int
	for ev, err := range rec.client().Observe(t.Context(), "i1", nil).All() {
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, ev.Seq)
	}
	if fmt.Sprint(seqs) != "[1 2]" {
		t.Fatalf("seqs %v", seqs)
	}
}

func TestObserveSkipsNonIntentFrames(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, sse(false,
		frame(1, "SUBMITTED"),
		"data: "+eventJSON(2, "COMPLETED")+"\n\n", // event name "message"
		"event: other\ndata: {}\n\n",
		frame(2, "CANCELED"),
	))
	s := rec.client().Observe(t.Context(), "i1", nil)
	var statuses []string
	for s.Next() {
		statuses = append(statuses, string(s.Current().Status))
	}
	if fmt.Sprint(statuses) != "[SUBMITTED CANCELED]" || s.Err() != nil {
		t.Fatalf("statuses %v err %v; frames without an intent.* name must be skipped", statuses, s.Err())
	}
}
