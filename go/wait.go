package axme

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// WaitOptions tune WaitFor.
type WaitOptions struct {
	// Timeout bounds the wait; when it elapses WaitFor returns a
	// *WaitTimeoutError (errors.Is(err, ErrWaitTimeout)). 0 waits until ctx
	// is done.
	Timeout time.Duration
}

// WaitFor blocks until the intent reaches a terminal status (COMPLETED,
// FAILED, CANCELED or TIMED_OUT) and returns it. It never returns a nil
// error with a non-terminal intent: its own timeout is ErrWaitTimeout, the
// caller's cancellation is ctx's error. Waiting never changes the intent.
//
// It makes one request, the event stream (REQ-WAIT-005); WithRawResponse sees
// the final {"intent": …} as the server sent it, and reqOpts apply to the one
// read WaitFor adds against an older server that sends no intent frames.
func (c *Client) WaitFor(ctx context.Context, intentID string, opts *WaitOptions, reqOpts ...RequestOption) (*Intent, error) {
	wctx, cancel := ctx, context.CancelFunc(func() {})
	var timeout time.Duration
	if opts != nil && opts.Timeout > 0 {
		timeout = opts.Timeout
		wctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	lastStatus := ""
	// ownTimeout turns the wait's own deadline into WaitTimeoutError.
	ownTimeout := func(err error) error {
		if timeout > 0 && ctx.Err() == nil && wctx.Err() != nil {
			return &WaitTimeoutError{IntentID: intentID, Timeout: timeout, LastStatus: lastStatus}
		}
		return err
	}
	for {
		intent, err := c.waitOne(ctx, wctx, intentID, &lastStatus, reqOpts)
		if err != nil {
			return nil, ownTimeout(err)
		}
		// a retried FAILED/TIMED_OUT intent leads to its last attempt (REQ-REATTEMPT-008)
		if intent.RetriedBy == nil || (intent.Status != IntentStatusFAILED && intent.Status != IntentStatusTIMEDOUT) {
			return intent, nil
		}
		intentID = *intent.RetriedBy
	}
}

// waitOne waits for one intent's terminal status (no retry links followed)
// with one request: the stream's stream.intent frames carry the intent when it
// opens and once it is terminal (REQ-WAIT-005). A server that sends none (an
// older one) costs one read after the terminal event.
func (c *Client) waitOne(ctx, wctx context.Context, intentID string, lastStatus *string, reqOpts []RequestOption) (*Intent, error) {
	stream := c.Observe(wctx, intentID, nil)
	stream.withIntent = true
	defer stream.Close()
	for stream.Next() {
		if *lastStatus = string(stream.Current().Status); stream.Current().Status.IsTerminal() {
			break
		}
	}
	if stream.intent == nil || !stream.intent.Status.IsTerminal() {
		if err := stream.Err(); err != nil {
			return nil, err
		}
		if ev := stream.Current(); ev != nil && ev.Status.IsTerminal() { // an older server: one read
			return c.readTerminal(ctx, intentID, ev.Status, reqOpts)
		}
		return nil, errors.New("axme: event stream ended before a terminal event")
	}
	var o requestOptions
	for _, opt := range reqOpts {
		opt(&o)
	}
	if o.rawResponse != nil { // WithRawResponse: {"intent": …} as the server sent it
		*o.rawResponse = []byte(stream.intentRaw)
	}
	return stream.intent, nil
}

// readTerminal reads the intent after its terminal event. It uses the
// caller's ctx so the wait's own deadline cannot race the last read, and
// re-reads (bounded) if a read still shows the state before that event.
func (c *Client) readTerminal(ctx context.Context, intentID string, seen IntentStatus, reqOpts []RequestOption) (*Intent, error) {
	const maxReads = 20
	for attempt := 0; ; attempt++ {
		final, err := c.GetIntent(ctx, intentID, reqOpts...)
		if err != nil {
			return nil, err
		}
		if final.Intent.Status.IsTerminal() {
			return &final.Intent, nil
		}
		if attempt+1 >= maxReads {
			return nil, &StreamError{Message: fmt.Sprintf("intent %s had a %s event but still reads %s", intentID, seen, final.Intent.Status)}
		}
		c.logger.DebugContext(ctx, "axme wait: terminal event seen before the intent reads terminal", "intent_id", intentID)
		if err := sleepCtx(ctx, backoff(c.reconnectFloor, min(attempt, 3))); err != nil {
			return nil, c.ctxError(call{method: "GET", path: intentPath(intentID, "")}, err)
		}
	}
}
