package axme

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// DefaultGrace is how long RunAgent lets the handler in hand finish
// after the process is told to stop (REQ-LISTEN-007).
const DefaultGrace = 10 * time.Second

// WithGrace sets how long RunAgent lets the handler in hand finish and
// send its result after SIGINT/SIGTERM or ctx's end (default 10 s; 0 = do not
// wait). Listen ignores it.
func WithGrace(d time.Duration) ListenOption {
	return func(c *listenConfig) { c.grace = max(d, 0) }
}

// RunAgent serves the agent at address as Listen does until the process gets
// SIGINT or SIGTERM or ctx ends (REQ-LISTEN-007). It then takes no further
// delivery and lets the handler in hand finish and resume or fail its intent
// for up to the shutdown grace (WithGrace, default 10 s); after the
// grace the handler's context is cancelled and the delivery abandoned without
// a write, as a crash would leave it (its lease expires and the server
// redelivers it). It removes its signal handlers and returns nil: being told
// to stop is how an agent process ends. Other errors are Listen's
// (for example ErrAuthentication); WithMaxDeliveries ends it with nil too.
//
//	if err := client.RunAgent(context.Background(), "billing-agent", handle); err != nil {
//		log.Fatal(err)
//	}
func (c *Client) RunAgent(ctx context.Context, address string, handler DeliveryHandler, opts ...ListenOption) error {
	cfg := listenConfig{grace: DefaultGrace}
	for _, o := range opts {
		o(&cfg)
	}
	stop, removeSignalHandlers := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer removeSignalHandlers()
	// The handler in hand keeps ctx's values but is cancelled only a grace after the stop.
	work, endGrace := context.WithCancel(context.WithoutCancel(ctx))
	defer endGrace()
	startGrace := context.AfterFunc(stop, func() {
		c.logger.Info("axme run_agent: stopping; the delivery in hand may finish", "address", address, "grace", cfg.grace)
		time.AfterFunc(cfg.grace, endGrace)
	})
	defer startGrace()
	l := &listener{c: c, address: address, handler: handler, cfg: cfg, work: work}
	err := l.run(stop)
	if stop.Err() != nil {
		return nil
	}
	return err
}
