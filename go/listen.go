package axme

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"time"
)

// DeliveryHandler processes one delivery. It returns the result object the intent
// is resumed with (nil means {}), or an error that fails the intent with
// code "agent_error" and the error's text. ctx is cancelled when Listen
// stops or the lease is lost.
type DeliveryHandler func(ctx context.Context, d *Delivery) (map[string]any, error)

type rawDeliveryKey struct{}

// RawDelivery returns the wire JSON of the delivery a DeliveryHandler is running
// for (nil outside a handler), including members newer than this SDK.
func RawDelivery(ctx context.Context) json.RawMessage {
	raw, _ := ctx.Value(rawDeliveryKey{}).(json.RawMessage)
	return raw
}

// ListenOption tunes Listen.
type ListenOption func(*listenConfig)

type listenConfig struct {
	maxDeliveries int
	renewEvery    time.Duration
	waitSeconds   int
	grace         time.Duration // RunAgent only
}

// WithMaxDeliveries makes Listen return nil after handling n deliveries.
func WithMaxDeliveries(n int) ListenOption { return func(c *listenConfig) { c.maxDeliveries = n } }

// WithLeaseRenewal sets how often the lease is renewed while the handler
// runs (default: a third of the remaining lease, at least 0.5 s, so two
// renewals can fail before it lapses).
func WithLeaseRenewal(every time.Duration) ListenOption {
	return func(c *listenConfig) { c.renewEvery = every }
}

// WithListenWaitSeconds sets the server's long-poll window per connection.
func WithListenWaitSeconds(s int) ListenOption { return func(c *listenConfig) { c.waitSeconds = s } }

// Listen serves the agent at address: it holds the delivery stream open,
// acknowledges each delivery, runs handler while re-acking to renew the lease, then
// resumes the intent with the result or fails it with the handler's error.
// It survives disconnects, idle streams, 408/429/5xx (backoff, honouring
// Retry-After) and returns only when ctx is done (ctx's error), after
// WithMaxDeliveries deliveries (nil), or on a non-retryable error such as
// ErrAuthentication. If ctx ends while a handler runs, the intent is left
// alone so its lease expires and the server redelivers it.
func (c *Client) Listen(ctx context.Context, address string, handler DeliveryHandler, opts ...ListenOption) error {
	cfg := listenConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	l := &listener{c: c, address: address, handler: handler, cfg: cfg}
	return l.run(ctx)
}

type listener struct {
	c       *Client
	address string
	handler DeliveryHandler
	cfg     listenConfig

	// work (RunAgent) outlives the stream's context by the shutdown grace: the
	// handler in hand, its lease renewals and its resume run under it, and when
	// it ends the handler is abandoned (not awaited). nil: Listen's ctx.
	work context.Context

	cursor   string // the agent stream's delivery cursor (last SSE id)
	failures int
	handled  int
}

func (l *listener) run(ctx context.Context) error {
	delay := time.Duration(0)
	for {
		if err := sleepCtx(ctx, delay); err != nil {
			return err
		}
		conn, err := l.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			retry, after := streamRetryable(err)
			if !retry {
				return err
			}
			delay = l.backoff(after, err)
			continue
		}
		done, err := l.serveConn(ctx, conn)
		conn.close()
		if done || ctx.Err() != nil {
			if ctx.Err() != nil && !done {
				return ctx.Err()
			}
			return err
		}
		if err != nil {
			delay = l.backoff(0, err)
		} else {
			delay = l.c.reconnectFloor // the long-poll window ended normally
		}
	}
}

func (l *listener) connect(ctx context.Context) (*sseConn, error) {
	q := url.Values{}
	if l.cursor != "" {
		q.Set("since", l.cursor)
	}
	if l.cfg.waitSeconds > 0 {
		q.Set("wait_seconds", strconv.Itoa(l.cfg.waitSeconds))
	}
	return l.c.openSSE(ctx, agentPath(l.address, "/intents/stream"), q, l.cursor)
}

func (l *listener) backoff(after time.Duration, err error) time.Duration {
	l.failures++
	d := after
	if d == 0 {
		d = backoff(l.c.retryBase, l.failures-1)
	}
	l.c.logger.Warn("axme listen: reconnecting", "address", l.address, "after", d, "error", err)
	return d
}

// serveConn handles deliveries until the connection ends. done is true when
// Listen should return (max deliveries reached or a fatal error).
func (l *listener) serveConn(ctx context.Context, conn *sseConn) (done bool, err error) {
	for {
		raw, err := conn.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			return false, err
		}
		if raw.Event == "stream.timeout" {
			return false, nil
		}
		if raw.Event != "intent.delivery" {
			continue
		}
		var d Delivery
		if err := json.Unmarshal([]byte(raw.Data), &d); err != nil {
			return true, &StreamError{Message: "malformed intent.delivery event (id " + raw.ID + ")", Err: err}
		}
		l.failures = 0
		if raw.HasID {
			l.cursor = raw.ID
		}
		conn.idle.pause() // we do not read while the handler runs
		handled := l.handle(ctx, &d, json.RawMessage(raw.Data))
		conn.idle.resume()
		if ctx.Err() != nil {
			return true, ctx.Err()
		}
		if !handled {
			continue
		}
		l.handled++
		if l.cfg.maxDeliveries > 0 && l.handled >= l.cfg.maxDeliveries {
			return true, nil
		}
	}
}

// handle acks, runs the handler with lease renewal and writes the outcome.
// It reports false when the delivery was not ours to handle (ack refused, or
// the stream's ctx ended first: no delivery is taken after a stop).
func (l *listener) handle(ctx context.Context, d *Delivery, raw json.RawMessage) bool {
	log := l.c.logger.With("intent_id", d.IntentID, "delivery_id", d.DeliveryID)
	if _, err := l.c.AckIntent(ctx, d.IntentID, d.DeliveryID); err != nil {
		// 409 stale/terminal: someone else owns it now; other errors: the
		// lease expires and the server redelivers.
		log.Warn("axme listen: ack failed, skipping delivery", "error", err)
		return false
	}
	work := ctx
	if l.work != nil {
		work = l.work
	}
	l.runAcked(context.WithValue(work, rawDeliveryKey{}, raw), d)
	return true
}

// runAcked runs the handler for an acked delivery with lease renewal and writes
// the outcome (resume or fail); the push receiver shares it with Listen.
func (l *listener) runAcked(ctx context.Context, d *Delivery) {
	log := l.c.logger.With("intent_id", d.IntentID, "delivery_id", d.DeliveryID)
	hctx, cancel := context.WithCancel(ctx)
	renewDone := make(chan struct{})
	go func() {
		defer close(renewDone)
		l.renewLease(hctx, cancel, d)
	}()
	var result map[string]any
	var herr error
	handled := make(chan struct{})
	go func() {
		defer close(handled)
		result, herr = l.handler(hctx, d)
	}()
	var abandon <-chan struct{} // nil for Listen: it waits for its handler
	if l.work != nil {
		abandon = ctx.Done()
	}
	select {
	case <-handled:
	case <-abandon:
		cancel()
		log.Warn("axme listen: shutdown grace over, abandoning the delivery (its lease expires and the server redelivers it)")
		return
	}
	lost := hctx.Err() != nil && ctx.Err() == nil
	cancel()
	<-renewDone
	if ctx.Err() != nil || lost {
		log.Warn("axme listen: not resuming", "listen_stopped", ctx.Err() != nil, "lease_lost", lost)
		return
	}
	var err error
	if herr != nil {
		_, err = l.c.FailIntent(ctx, d.IntentID, handlerFailure(herr), WithDeliveryID(d.DeliveryID))
	} else {
		_, err = l.c.ResumeIntent(ctx, d.IntentID, result, WithDeliveryID(d.DeliveryID))
	}
	if err != nil {
		log.Warn("axme listen: resume failed", "error", err)
	}
}

// renewLease re-acks the delivery (REQ-LISTEN-002) before the lease runs
// out until ctx ends, pacing each renewal by the lease the last ack granted.
// A 409 or 404 means the lease is gone, so the handler's context is cancelled.
func (l *listener) renewLease(ctx context.Context, cancelHandler context.CancelFunc, d *Delivery) {
	lease := d.LeaseExpiresAt
	for {
		every := l.cfg.renewEvery
		if every <= 0 {
			every = renewalInterval(lease, time.Now())
		}
		if sleepCtx(ctx, every) != nil {
			return
		}
		acked, err := l.c.AckIntent(ctx, d.IntentID, d.DeliveryID)
		switch {
		case errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound):
			cancelHandler() // the lease is gone; another attempt owns the intent
			return
		case err == nil && acked.LeaseExpiresAt != "":
			lease = acked.LeaseExpiresAt
		}
		// other errors are transient: the next tick tries again
	}
}

// renewalInterval is a third of the lease left (20 s if unknown, ≥ 0.5 s).
func renewalInterval(leaseExpiresAt string, now time.Time) time.Duration {
	exp, err := time.Parse(time.RFC3339Nano, leaseExpiresAt)
	if err != nil {
		return 20 * time.Second
	}
	return max(exp.Sub(now)/3, 500*time.Millisecond)
}
