package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	axme "github.com/axme-ai/axme/go"
)

// pushReceiver serves axme.PushReceiver on a free 127.0.0.1 port, reports its URL,
// and ends after max_deliveries deliveries were handled (resumed or failed), or when
// cancelled (driver-protocol.md "push_receiver").
func (d *driver) pushReceiver(ctx context.Context, c *axme.Client, m message) {
	p := m.params()
	wanted := 1
	if n := optInt(p, "max_deliveries"); n != nil {
		wanted = *n
	}
	var secrets []string
	raw, _ := p["secrets"].([]any)
	for _, s := range raw {
		secrets = append(secrets, s.(string))
	}
	verifier := axme.PushVerifier{Secrets: secrets}
	if t, ok := p["tolerance_s"].(float64); ok {
		verifier.Tolerance = time.Duration(t * float64(time.Second))
	}
	enough := make(chan struct{})
	var once sync.Once
	count := 0
	var mu sync.Mutex
	inner := d.deliveryHandler(c, m.ID, obj(p, "handler"), func() {})
	handler := func(hctx context.Context, dl *axme.Delivery) (map[string]any, error) {
		defer func() {
			mu.Lock()
			count++
			if wanted > 0 && count >= wanted {
				once.Do(func() { close(enough) })
			}
			mu.Unlock()
		}()
		return inner(hctx, dl)
	}
	receiver := axme.NewPushReceiver(c, handler, verifier)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		d.fail(m.ID, err)
		return
	}
	server := &http.Server{Handler: receiver, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- server.Serve(ln) }()
	d.emit(map[string]any{"id": m.ID, "receiver": map[string]any{"url": "http://" + ln.Addr().String() + "/"}})
	var stopErr error
	select {
	case <-enough: // never closed for max_deliveries 0: serve until cancelled
	case <-ctx.Done():
		stopErr = ctx.Err()
	case err := <-served:
		stopErr = err
	}
	_ = receiver.Shutdown(context.Background()) // the deliveries being resumed finish first
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	_ = server.Shutdown(shutdownCtx) // answers still being written are finished, not cut
	cancelShutdown()
	if stopErr != nil && !errors.Is(stopErr, http.ErrServerClosed) {
		d.fail(m.ID, stopErr)
		return
	}
	d.emit(map[string]any{"id": m.ID, "done": true})
}
