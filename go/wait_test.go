package axme

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func intentJSON(status string, lastSeq int) string {
	return `{"ok":true,"intent":{"intent_id":"i1","status":"` + status + `","last_seq":` + strconv.Itoa(lastSeq) + `,"payload":{}}}`
}

// intentFrame is a stream.intent frame (REQ-SSE-016).
func intentFrame(status string, lastSeq int) string {
	return "event: stream.intent\ndata: {" + strings.TrimPrefix(intentJSON(status, lastSeq), `{"ok":true,`) + "\n\n"
}

func TestWaitForIsOneStreamRequest(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t,
		sse(false, intentFrame("SUBMITTED", 1), frame(1, "SUBMITTED"), frame(2, "DELIVERED"), frame(3, "COMPLETED"),
			intentFrame("COMPLETED", 3)),
	)
	in, err := rec.client().WaitFor(t.Context(), "i1", nil)
	if err != nil || in.Status != IntentStatusCOMPLETED || in.LastSeq != 3 || len(rec.all()) != 1 {
		t.Fatalf("WaitFor = %+v, %v after %d requests; want the final intent from one request", in, err, len(rec.all()))
	}
	if uri := rec.all()[0].RequestURI; !strings.Contains(uri, "include_intent=true") || strings.Contains(uri, "since=") {
		t.Errorf("wait streamed %s; want include_intent=true from the start", uri)
	}
}

func TestWaitForAgainstAnOlderServerReadsOnceAfter(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t,
		sse(false, frame(2, "DELIVERED"), frame(3, "COMPLETED")),
		reply(200, intentJSON("COMPLETED", 3)),
	)
	in, err := rec.client().WaitFor(t.Context(), "i1", nil)
	if err != nil || in.Status != IntentStatusCOMPLETED || len(rec.all()) != 2 {
		t.Fatalf("WaitFor = %+v, %v after %d requests", in, err, len(rec.all()))
	}
}

func TestWaitForAlreadyTerminal(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, sse(true, intentFrame("FAILED", 4))) // already terminal: the whole stream (REQ-SSE-016)
	in, err := rec.client().WaitFor(t.Context(), "i1", nil)
	if err != nil || in.Status != IntentStatusFAILED || len(rec.all()) != 1 {
		t.Fatalf("WaitFor = %+v, %v after %d requests", in, err, len(rec.all()))
	}
}

func TestWaitForOwnTimeoutIsWaitTimeoutError(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, sse(true, intentFrame("WAITING", 2), frame(3, "WAITING")))
	in, err := rec.client().WaitFor(t.Context(), "i1", &WaitOptions{Timeout: 150 * time.Millisecond})
	var wt *WaitTimeoutError
	if in != nil || !errors.Is(err, ErrWaitTimeout) || !errors.As(err, &wt) || wt.LastStatus != "WAITING" {
		t.Fatalf("WaitFor = %+v, %v; want nil and a WaitTimeoutError with the last status", in, err)
	}
}

func TestWaitForCancellationIsNotATimeout(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, sse(true, intentFrame("WAITING", 2)))
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	in, err := rec.client().WaitFor(ctx, "i1", &WaitOptions{Timeout: time.Minute})
	if in != nil || !errors.Is(err, context.Canceled) || errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("WaitFor = %+v, %v; want nil and context.Canceled", in, err)
	}
	for _, r := range rec.all() {
		if r.Method != http.MethodGet {
			t.Fatalf("waiting sent %s %s; it must never change the intent", r.Method, r.RequestURI)
		}
	}
}

func TestWaitForUnknownIntent(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(404, errBody("intent_not_found")))
	if _, err := rec.client().WaitFor(t.Context(), "nope", &WaitOptions{Timeout: time.Second}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v; want ErrNotFound", err)
	}
}

func TestWaitForRereadsAStaleTerminalRead(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t,
		sse(false, frame(2, "CANCELED")),       // an older server: no intent frames
		reply(200, intentJSON("SUBMITTED", 1)), // a read that lags the event
		reply(200, intentJSON("CANCELED", 2)),
	)
	in, err := rec.client().WaitFor(t.Context(), "i1", nil)
	if err != nil || in.Status != IntentStatusCANCELED || len(rec.all()) != 3 {
		t.Fatalf("WaitFor = %+v, %v after %d requests; want the terminal intent", in, err, len(rec.all()))
	}
}
