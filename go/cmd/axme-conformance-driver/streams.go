package main

import (
	"context"
	"errors"
	"time"

	axme "github.com/axme-ai/axme/go"
)

func (d *driver) observe(ctx context.Context, c *axme.Client, m message) {
	p := m.params()
	opts := &axme.ObserveOptions{}
	if s := optInt(p, "since"); s != nil {
		opts.Since = *s
	}
	stream := c.Observe(ctx, str(p, "intent_id"), opts)
	defer stream.Close()
	for stream.Next() {
		d.emit(map[string]any{"id": m.ID, "event": stream.CurrentRaw()})
	}
	if err := stream.Err(); err != nil {
		d.fail(m.ID, err)
		return
	}
	d.emit(map[string]any{"id": m.ID, "done": true})
}

func (d *driver) listen(ctx context.Context, c *axme.Client, m message) {
	p := m.params()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	handler := d.deliveryHandler(c, m.ID, obj(p, "handler"), stop)
	var opts []axme.ListenOption
	if n := optInt(p, "max_deliveries"); n != nil && *n > 0 {
		opts = append(opts, axme.WithMaxDeliveries(*n))
	}
	err := c.Listen(ctx, str(p, "address"), handler, opts...)
	if err != nil && !errors.Is(err, context.Canceled) {
		d.fail(m.ID, err)
		return
	}
	d.emit(map[string]any{"id": m.ID, "done": true})
}

// deliveryHandler is the handler listen and push_receiver run: it writes the delivery
// line, then acts as spec says; crash calls stop (the op dies with the lease held).
func (d *driver) deliveryHandler(c *axme.Client, id int, spec map[string]any, stop func()) axme.DeliveryHandler {
	return func(hctx context.Context, dl *axme.Delivery) (map[string]any, error) {
		d.emit(map[string]any{"id": id, "delivery": axme.RawDelivery(hctx)})
		switch str(spec, "action") {
		case "complete":
			return obj(spec, "result"), nil
		case "fail":
			return nil, errors.New(str(obj(spec, "error"), "message"))
		case "crash":
			stop() // the listener dies with the lease held: the server redelivers later
			<-hctx.Done()
			return nil, hctx.Err()
		case "progress_then_complete":
			n := 0
			if v := optInt(spec, "progress_count"); v != nil {
				n = *v
			}
			delay := millis(spec["delay_ms"])
			for i := range n {
				t := time.NewTimer(delay)
				select {
				case <-hctx.Done():
					t.Stop()
					return nil, hctx.Err()
				case <-t.C:
				}
				if _, err := c.ReportProgress(hctx, dl.IntentID, map[string]any{"step": i + 1}, axme.WithDeliveryID(dl.DeliveryID)); err != nil {
					return nil, err
				}
			}
			return obj(spec, "result"), nil
		}
		return nil, errors.New("driver: unknown handler action " + str(spec, "action"))
	}
}
