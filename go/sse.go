package axme

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sseEvent is one dispatched Server-Sent Event.
type sseEvent struct {
	ID    string // the last event id at dispatch time
	HasID bool   // false while no id field was ever seen
	Event string // "message" when the frame had no event field
	Data  string
}

// sseParser is an incremental WHATWG EventSource parser: next returns each
// event as soon as its terminating blank line has been read, so a caller
// sees events while the connection stays open. CR, LF and CRLF all end a
// line; an event not ended by a blank line is dropped at end of stream.
type sseParser struct {
	r       *bufio.Reader
	started bool
	afterCR bool // the previous line ended in CR: a following LF belongs to it

	lastID   string
	hasID    bool
	retryMS  int
	hasRetry bool

	data      strings.Builder
	eventType string
	line      []byte
}

func newSSEParser(r io.Reader) *sseParser {
	return &sseParser{r: bufio.NewReaderSize(r, 4096)}
}

// retry returns the last valid retry: value in milliseconds.
func (p *sseParser) retry() (int, bool) { return p.retryMS, p.hasRetry }

// next returns the next event, or the read error (io.EOF at a clean end).
func (p *sseParser) next() (sseEvent, error) {
	if !p.started {
		p.started = true
		if b, err := p.r.Peek(3); err == nil && string(b) == "\ufeff" {
			_, _ = p.r.Discard(3)
		}
	}
	for {
		line, err := p.readLine()
		if err != nil {
			return sseEvent{}, err
		}
		if ev, ok := p.processLine(line); ok {
			return ev, nil
		}
	}
}

// readLine returns one line without its terminator.
func (p *sseParser) readLine() (string, error) {
	p.line = p.line[:0]
	for {
		b, err := p.r.ReadByte()
		if err != nil {
			return "", err // a partial last line is discarded with its event
		}
		if p.afterCR {
			p.afterCR = false
			if b == '\n' {
				continue
			}
		}
		switch b {
		case '\r':
			p.afterCR = true
			return string(p.line), nil
		case '\n':
			return string(p.line), nil
		}
		p.line = append(p.line, b)
	}
}

// processLine applies one line; it returns an event when the line dispatches one.
func (p *sseParser) processLine(line string) (sseEvent, bool) {
	if line == "" {
		return p.dispatch()
	}
	if line[0] == ':' {
		return sseEvent{}, false // comment, e.g. keepalive
	}
	field, value := line, ""
	if i := strings.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		value = strings.TrimPrefix(value, " ")
	}
	switch field {
	case "event":
		p.eventType = value
	case "data":
		p.data.WriteString(value)
		p.data.WriteByte('\n')
	case "id":
		if !strings.ContainsRune(value, 0) {
			p.lastID, p.hasID = value, true
		}
	case "retry":
		if ms, ok := parseDigits(value); ok {
			p.retryMS, p.hasRetry = ms, true
		}
	}
	return sseEvent{}, false
}

func (p *sseParser) dispatch() (sseEvent, bool) {
	data := p.data.String()
	eventType := p.eventType
	p.data.Reset()
	p.eventType = ""
	if data == "" {
		return sseEvent{}, false
	}
	if eventType == "" {
		eventType = "message"
	}
	return sseEvent{ID: p.lastID, HasID: p.hasID, Event: eventType, Data: strings.TrimSuffix(data, "\n")}, true
}

// parseDigits accepts only ASCII digits (the retry field rule).
func parseDigits(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// errIdle reports a stream that sent nothing (not even a keepalive) for the
// idle timeout; callers reconnect.
var errIdle = errors.New("axme: stream idle timeout")

// sseConn is one open Server-Sent Events connection. Each event is parsed
// from the bytes as they arrive; nothing waits for the body to end.
type sseConn struct {
	body   io.ReadCloser
	parser *sseParser
	cancel context.CancelFunc
	idle   *idleWatch
}

// openSSE sends one GET for an event stream. A non-2xx status is returned as
// *APIError; the caller owns reconnecting.
func (c *Client) openSSE(ctx context.Context, path string, q url.Values, lastEventID string) (*sseConn, error) {
	connCtx, cancel := context.WithCancel(ctx)
	var headerTimeout atomic.Bool
	headerTimer := time.AfterFunc(c.timeout, func() { headerTimeout.Store(true); cancel() })
	req, err := c.newRequest(connCtx, http.MethodGet, path, q, nil, applyOptions(nil))
	if err != nil {
		headerTimer.Stop()
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := c.httpClient.Do(req)
	headerTimer.Stop()
	if err != nil {
		cancel()
		return nil, &ConnectionError{Method: http.MethodGet, URL: c.baseURL + path, Timeout: headerTimeout.Load(), Err: err}
	}
	c.logger.DebugContext(ctx, "axme stream", "path", path, "status", resp.StatusCode, "last_event_id", lastEventID,
		"request_id", resp.Header.Get("X-Request-Id"))
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
		resp.Body.Close()
		cancel()
		return nil, newAPIError(resp, data, c.now())
	}
	idle := newIdleWatch(c.streamIdle, cancel)
	return &sseConn{
		body:   resp.Body,
		parser: newSSEParser(idle.wrap(resp.Body)),
		cancel: cancel,
		idle:   idle,
	}, nil
}

// next returns the next event; errIdle when the idle timeout cut the
// connection, io.EOF when the server closed it.
func (s *sseConn) next() (sseEvent, error) {
	ev, err := s.parser.next()
	if err != nil && s.idle.fired() {
		return ev, errIdle
	}
	return ev, err
}

func (s *sseConn) close() {
	s.idle.stop()
	s.cancel()
	s.body.Close()
}

// idleWatch cancels a connection when no bytes arrive for d. It can be
// paused while the caller is busy and not reading (Listen's handler).
type idleWatch struct {
	d      time.Duration
	mu     sync.Mutex
	timer  *time.Timer
	paused bool
	hit    atomic.Bool
}

func newIdleWatch(d time.Duration, cancel context.CancelFunc) *idleWatch {
	w := &idleWatch{d: d}
	w.timer = time.AfterFunc(d, func() {
		w.mu.Lock()
		paused := w.paused
		w.mu.Unlock()
		if !paused {
			w.hit.Store(true)
			cancel()
		}
	})
	return w
}

func (w *idleWatch) wrap(r io.Reader) io.Reader { return idleReader{r: r, w: w} }
func (w *idleWatch) fired() bool                { return w.hit.Load() }
func (w *idleWatch) stop()                      { w.timer.Stop() }

func (w *idleWatch) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.paused {
		w.timer.Reset(w.d)
	}
}

// pause stops the idle clock; resume restarts it from zero.
func (w *idleWatch) pause() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.paused = true
	w.timer.Stop()
}

func (w *idleWatch) resume() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.paused = false
	w.timer.Reset(w.d)
}

type idleReader struct {
	r io.Reader
	w *idleWatch
}

func (r idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.w.reset()
	}
	return n, err
}

// streamRetryable reports whether a failed stream attempt may be retried,
// and the delay the server asked for (zero if none).
func streamRetryable(err error) (bool, time.Duration) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if !isRetryableStatus(apiErr.StatusCode) || apiErr.RetryAfter > maxRetryAfter {
			return false, 0
		}
		return true, apiErr.RetryAfter
	}
	return errors.Is(err, ErrConnection), 0
}
