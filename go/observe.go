package axme

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ObserveOptions tune Observe. The zero value observes from the first event.
type ObserveOptions struct {
	// Since skips events with seq <= Since.
	Since int
	// WaitSeconds is the server's long-poll window per connection (1..300;
	// 0 = the server default, 30). The stream reconnects after each window.
	WaitSeconds int
	// MaxReconnects bounds consecutive failed reconnects without a new event
	// before Err reports a *StreamError (REQ-OBSERVE-006). 0 means
	// max(MaxRetries, 5).
	MaxReconnects int
}

// EventStream yields an intent's events as they happen:
//
//	stream := client.Observe(ctx, id, nil)
//	defer stream.Close()
//	for stream.Next() {
//		ev := stream.Current()
//	}
//	if err := stream.Err(); err != nil { … }
//
// It reconnects with Last-Event-ID after a dropped or idle connection
// (jittered backoff, never a tight loop), never yields an event twice, ends
// after a terminal event, and falls back to polling the events endpoint only
// when the stream endpoint is missing (404, 405, 501).
//
// An EventStream is used by one goroutine; to stop a Next blocked in
// another goroutine, cancel the context given to Observe.
type EventStream struct {
	c        *Client
	ctx      context.Context
	cancel   context.CancelFunc
	intentID string
	opts     ObserveOptions

	conn      *sseConn
	lastSeq   int
	failures  int
	connects  int
	delay     time.Duration // wait before the next connect
	retryBase time.Duration // server's retry: value, else the client's base
	polling   bool
	pending   []json.RawMessage // polled events not yet yielded

	cur      *Event
	curRaw   json.RawMessage
	err      error
	finished bool
	// afterFailure: a FAILED/TIMED_OUT event was yielded; the next Next looks for
	// the attempt that retried it (REQ-REATTEMPT-009)
	afterFailure bool
	// withIntent (WaitFor): ask for the stream.intent frames (REQ-SSE-016) and keep
	// the last one in intent; after the terminal event the connection is read to
	// its end for the final intent.
	withIntent bool
	intent     *Intent
	intentRaw  string // the data of the frame intent came from
}

// Observe opens an event stream for an intent. It connects lazily on the
// first Next; errors (for example ErrNotFound) are reported by Err.
func (c *Client) Observe(ctx context.Context, intentID string, opts *ObserveOptions) *EventStream {
	sctx, cancel := context.WithCancel(ctx)
	s := &EventStream{c: c, ctx: sctx, cancel: cancel, intentID: intentID, retryBase: c.retryBase}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.MaxReconnects <= 0 {
		s.opts.MaxReconnects = max(c.maxRetries, 5)
	}
	s.lastSeq = s.opts.Since
	return s
}

// Current returns the event of the last successful Next.
func (s *EventStream) Current() *Event { return s.cur }

// CurrentRaw returns the wire JSON of the current event, including members
// newer than this SDK.
func (s *EventStream) CurrentRaw() json.RawMessage { return s.curRaw }

// Err returns the error that ended the stream; nil after a terminal event or Close.
func (s *EventStream) Err() error { return s.err }

// Close ends the stream and releases its connection. It is safe to call twice.
func (s *EventStream) Close() error {
	s.finish(nil)
	return nil
}

// All ranges over the events; the last pair carries the error, if any.
func (s *EventStream) All() iter.Seq2[*Event, error] {
	return func(yield func(*Event, error) bool) {
		defer s.Close()
		for s.Next() {
			if !yield(s.Current(), nil) {
				return
			}
		}
		if s.Err() != nil {
			yield(nil, s.Err())
		}
	}
}

func (s *EventStream) finish(err error) {
	if !s.finished {
		s.finished = true
		if s.err == nil {
			s.err = err
		}
	}
	if s.conn != nil {
		s.conn.close()
		s.conn = nil
	}
	s.cancel()
}

// Next advances to the next event, blocking until it arrives.
func (s *EventStream) Next() bool {
	for !s.finished {
		if err := s.ctx.Err(); err != nil {
			s.finish(s.c.ctxError(call{method: http.MethodGet, path: s.streamPath()}, err))
			return false
		}
		if s.afterFailure {
			s.afterFailure = false
			if !s.followRetry() {
				s.finished = true
			}
			continue
		}
		var raw json.RawMessage
		var err error
		if s.polling {
			raw, err = s.nextPolled()
		} else {
			raw, err = s.nextStreamed()
		}
		if err != nil {
			s.finish(err)
			return false
		}
		if raw == nil {
			continue
		}
		ev := new(Event)
		if err := json.Unmarshal(raw, ev); err != nil {
			s.finish(&StreamError{Message: "malformed event", Err: err})
			return false
		}
		if ev.Seq <= s.lastSeq {
			continue // already yielded before a reconnect
		}
		s.lastSeq, s.cur, s.curRaw, s.failures = ev.Seq, ev, raw, 0
		if ev.Status.IsTerminal() {
			// this event is yielded; the next Next ends, or follows a retry of a failure
			s.finished = ev.Status != IntentStatusFAILED && ev.Status != IntentStatusTIMEDOUT
			s.afterFailure = !s.finished
			if s.withIntent && s.conn != nil {
				s.readFinalIntent()
			}
			if s.conn != nil {
				s.conn.close()
				s.conn = nil
			}
		}
		return true
	}
	if s.err == nil && s.ctx.Err() == nil {
		s.cancel()
	}
	return false
}

// followRetry switches the stream to the attempt that retried the intent, if
// any, from its first event (REQ-REATTEMPT-009). False ends the stream; a failed
// read ends it too, quietly: the terminal event was already yielded.
func (s *EventStream) followRetry() bool {
	resp, err := s.c.GetIntent(s.ctx, s.intentID)
	if err != nil {
		s.c.logger.DebugContext(s.ctx, "axme observe: reading the failed intent for a retry link failed", "intent_id", s.intentID, "error", err)
		return false
	}
	if resp.Intent.RetriedBy == nil {
		return false
	}
	s.intentID, s.lastSeq, s.connects, s.failures, s.delay = *resp.Intent.RetriedBy, 0, 0, 0, 0
	s.polling, s.pending = false, nil
	return true
}

func (s *EventStream) streamPath() string { return intentPath(s.intentID, "/events/stream") }

// nextStreamed returns the next event from the SSE connection, (nil, nil)
// when the caller should loop (reconnect happened), or a final error.
func (s *EventStream) nextStreamed() (json.RawMessage, error) {
	if s.conn == nil {
		if err := sleepCtx(s.ctx, s.delay); err != nil {
			return nil, nil // the loop reports the context error
		}
		q := url.Values{}
		if s.lastSeq > 0 {
			q.Set("since", strconv.Itoa(s.lastSeq))
		}
		if s.opts.WaitSeconds > 0 {
			q.Set("wait_seconds", strconv.Itoa(s.opts.WaitSeconds))
		}
		if s.withIntent {
			q.Set("include_intent", "true")
		}
		lastID := ""
		if s.connects > 0 && s.lastSeq > 0 {
			lastID = strconv.Itoa(s.lastSeq) // a resume, not the first connect
		}
		s.connects++
		conn, err := s.c.openSSE(s.ctx, s.streamPath(), q, lastID)
		if err != nil {
			return nil, s.connectFailed(err)
		}
		s.conn = conn
	}
	raw, err := s.conn.next()
	if err != nil {
		if ms, ok := s.conn.parser.retry(); ok {
			s.retryBase = time.Duration(ms) * time.Millisecond
		}
		s.conn.close()
		s.conn = nil
		if s.ctx.Err() != nil {
			return nil, nil
		}
		return nil, s.dropped(err)
	}
	switch raw.Event {
	case "stream.timeout":
		// The server's long-poll window ended: reconnect promptly.
		s.conn.close()
		s.conn = nil
		s.delay = s.c.reconnectFloor
		return nil, nil
	}
	if raw.Event == "stream.intent" && s.withIntent {
		if err := s.takeIntent(raw.Data); err != nil {
			return nil, err
		}
		if s.intent.Status.IsTerminal() { // the wait is over (REQ-SSE-016)
			s.finish(nil)
		}
		return nil, nil
	}
	if !strings.HasPrefix(raw.Event, "intent.") {
		return nil, nil // not an intent event (REQ-SSE-013)
	}
	if !json.Valid([]byte(raw.Data)) {
		return nil, &StreamError{Message: fmt.Sprintf("malformed %q event (id %q): data is not JSON", raw.Event, raw.ID)}
	}
	return json.RawMessage(raw.Data), nil
}

// takeIntent keeps the intent of a stream.intent frame.
func (s *EventStream) takeIntent(data string) error {
	var frame struct {
		Intent *Intent `json:"intent"`
	}
	if err := json.Unmarshal([]byte(data), &frame); err != nil || frame.Intent == nil {
		return &StreamError{Message: "malformed stream.intent frame", Err: err}
	}
	s.intent, s.intentRaw = frame.Intent, data
	return nil
}

// readFinalIntent reads what follows a terminal event on this connection: the
// server sends the final stream.intent frame and ends (REQ-SSE-016). An older
// server just ends, and so does a broken connection: intent stays as it was.
func (s *EventStream) readFinalIntent() {
	for {
		raw, err := s.conn.next()
		if err != nil {
			return
		}
		if raw.Event == "stream.intent" {
			if s.takeIntent(raw.Data) != nil {
				s.intent = nil
			}
			return
		}
	}
}

// connectFailed decides what a failed (re)connect means.
func (s *EventStream) connectFailed(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) && streamMissing(apiErr) {
		s.c.logger.DebugContext(s.ctx, "axme observe: stream endpoint missing, polling", "status", apiErr.StatusCode)
		s.polling, s.delay = true, 0
		return nil
	}
	retry, after := streamRetryable(err)
	if !retry {
		return err
	}
	return s.backoffOr(err, after)
}

// dropped handles a connection that ended without a terminal event.
func (s *EventStream) dropped(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, errIdle) {
		err = &StreamError{Message: "connection closed before a terminal event", Err: err}
	} else {
		err = &StreamError{Message: "connection lost", Err: err}
	}
	return s.backoffOr(err, 0)
}

// backoffOr schedules a jittered reconnect, or gives up after
// MaxReconnects consecutive failures with a *StreamError wrapping err.
func (s *EventStream) backoffOr(err error, after time.Duration) error {
	s.failures++
	if s.failures > s.opts.MaxReconnects {
		var streamErr *StreamError
		if errors.As(err, &streamErr) {
			return err
		}
		return &StreamError{Message: fmt.Sprintf("could not resume after %d failed connections", s.failures), Err: err}
	}
	s.delay = after
	if s.delay == 0 {
		s.delay = backoff(s.retryBase, s.failures-1)
	}
	s.c.logger.DebugContext(s.ctx, "axme observe: reconnecting", "intent_id", s.intentID, "after", s.delay, "error", err)
	return nil
}

// streamMissing is true when the server has no stream endpoint (as opposed
// to an unknown intent): 405, 501, or a 404 that is not about the intent.
func streamMissing(e *APIError) bool {
	switch e.StatusCode {
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return true
	case http.StatusNotFound:
		return e.Code != "intent_not_found"
	}
	return false
}

// nextPolled serves events from GET …/events, sleeping between empty polls.
func (s *EventStream) nextPolled() (json.RawMessage, error) {
	if len(s.pending) == 0 {
		if err := sleepCtx(s.ctx, s.delay); err != nil {
			return nil, nil
		}
		since := s.lastSeq
		var body []byte
		_, err := s.c.ListIntentEvents(s.ctx, s.intentID, &ListIntentEventsParams{Since: &since}, WithRawResponse(&body))
		var page struct {
			Events []json.RawMessage `json:"events"`
		}
		if err == nil {
			err = json.Unmarshal(body, &page)
		}
		if err != nil {
			if s.ctx.Err() != nil {
				return nil, nil
			}
			if retry, after := streamRetryable(err); retry {
				return nil, s.backoffOr(err, after)
			}
			return nil, err
		}
		s.pending = page.Events
		s.delay = 0
		if len(s.pending) == 0 {
			s.delay = s.c.pollInterval
			return nil, nil
		}
	}
	ev := s.pending[0]
	s.pending = s.pending[1:]
	return ev, nil
}
