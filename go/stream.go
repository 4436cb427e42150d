package axme

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

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
