package axme_test

// REQ-LISTEN-007: RunAgent serves until SIGINT/SIGTERM or the caller's
// cancellation, lets the handler in hand finish within the shutdown grace,
// abandons it after the grace without a write, and returns nil. The drain
// logic is driven through ctx; the signal path through a child process.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
)

// startRunAgent runs RunAgent in the background; cancel stops it as a signal would.
func startRunAgent(t *testing.T, agent *axme.Client, addr string, h axme.DeliveryHandler, opts ...axme.ListenOption) (cancel context.CancelFunc, done <-chan error) {
	ctx, cancel := context.WithCancel(ctxTimeout(t, 30*time.Second))
	t.Cleanup(cancel)
	errs := make(chan error, 1)
	go func() { errs <- agent.RunAgent(ctx, addr, h, opts...) }()
	return cancel, errs
}

func returnsWithin(t *testing.T, done <-chan error, limit time.Duration) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunAgent = %v, want nil after a stop", err)
		}
	case <-time.After(limit):
		t.Fatalf("RunAgent still running %v after the stop", limit)
	}
}

func (e *env) eventTypes(ctx context.Context, id string) string {
	var types []string
	for ev, err := range e.admin.Observe(ctx, id, nil).All() {
		if err != nil {
			e.t.Fatal(err)
		}
		types = append(types, string(ev.EventType))
	}
	return strings.Join(types, " ")
}

func TestRunAgentFinishesTheDeliveryInHandAfterCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, agent := e.agent("drainer")
	ctx := ctxTimeout(t, 30*time.Second)
	inHand, release := make(chan string, 4), make(chan struct{})
	var calls atomic.Int32
	stop, done := startRunAgent(t, agent, addr, func(hctx context.Context, d *axme.Delivery) (map[string]any, error) {
		calls.Add(1)
		inHand <- d.IntentID
		<-release
		if hctx.Err() != nil {
			return nil, hctx.Err()
		}
		return map[string]any{"finished": true}, nil
	})
	first, err := e.admin.SendIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	<-inHand
	stop()
	// Sent after the stop: it must not be taken.
	second, err := e.admin.SendIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	returnsWithin(t, done, 5*time.Second)
	in, err := e.admin.GetIntent(ctx, first)
	if err != nil || in.Intent.Status != axme.IntentStatusCOMPLETED || (*in.Intent.Result)["finished"] != true {
		t.Fatalf("the delivery in hand: %+v, %v; want COMPLETED with its result", in, err)
	}
	if got := e.eventTypes(ctx, first); got != "intent.submitted intent.delivered intent.acknowledged intent.completed" {
		t.Fatalf("events of the drained intent: %s (one delivery, then completed)", got)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("handler ran %d times; no delivery may be taken after the stop", n)
	}
	if in, err := e.admin.GetIntent(ctx, second); err != nil || in.Intent.Status.IsTerminal() || in.Intent.Status == axme.IntentStatusACKNOWLEDGED {
		t.Fatalf("intent sent after the stop: %+v, %v; want it left for another agent", in, err)
	}
}

func TestRunAgentAbandonsTheHandlerAfterTheGrace(t *testing.T) {
	t.Parallel()
	for _, grace := range []time.Duration{0, 200 * time.Millisecond} {
		t.Run(fmt.Sprint(grace), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			addr, agent := e.agent("stuck")
			ctx := ctxTimeout(t, 30*time.Second)
			inHand, never := make(chan struct{}), make(chan struct{})
			t.Cleanup(func() { close(never) })
			stop, done := startRunAgent(t, agent, addr, func(context.Context, *axme.Delivery) (map[string]any, error) {
				close(inHand)
				<-never // ignores its context: the grace must not wait for it
				return map[string]any{"late": true}, nil
			}, axme.WithGrace(grace))
			id, err := e.admin.SendIntent(ctx, newIntent(addr))
			if err != nil {
				t.Fatal(err)
			}
			<-inHand
			stopped := time.Now()
			stop()
			returnsWithin(t, done, grace+3*time.Second)
			if took := time.Since(stopped); took < grace {
				t.Fatalf("RunAgent returned after %v, before the %v grace", took, grace)
			}
			in, err := e.admin.GetIntent(ctx, id)
			if err != nil || in.Intent.Status.IsTerminal() {
				t.Fatalf("abandoned intent: %+v, %v; want it left to its lease", in, err)
			}
			for _, r := range e.requests() {
				if strings.HasSuffix(r.Path, "/resume") {
					t.Fatalf("a resume was sent after the grace: %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

func TestRunAgentReturnsAtOnceWhenIdle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, agent := e.agent("idler")
	stop, done := startRunAgent(t, agent, addr, func(context.Context, *axme.Delivery) (map[string]any, error) {
		t.Error("no delivery was sent")
		return nil, nil
	})
	stop()
	returnsWithin(t, done, time.Second)
}

// TestRunAgentSignal sends SIGTERM and SIGINT to a child running RunAgent with a
// delivery in hand: the child finishes it, prints that RunAgent returned nil
// and exits 0 by itself.
func TestRunAgentSignal(t *testing.T) {
	if os.Getenv("AXME_RUNAGENT_CHILD") != "" {
		runAgentChild()
		return
	}
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := ctxTimeout(t, 30*time.Second)
			reg, err := e.admin.RegisterAgent(ctx, axme.RegisterAgentRequest{Address: "signalled"})
			if err != nil {
				t.Fatal(err)
			}
			id, err := e.admin.SendIntent(ctx, newIntent(reg.Agent.Address))
			if err != nil {
				t.Fatal(err)
			}
			child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRunAgentSignal$")
			child.Env = append(os.Environ(), "AXME_RUNAGENT_CHILD=1", "AXME_API_KEY="+reg.APIKey,
				"AXME_BASE_URL="+server.BaseURL, "AXME_ADDRESS="+reg.Agent.Address)
			stdin, _ := child.StdinPipe()
			stdout, _ := child.StdoutPipe()
			child.Stderr = child.Stdout // the stop is logged there
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stdout)
			expect := func(want string) {
				t.Helper()
				for lines.Scan() {
					if strings.Contains(lines.Text(), want) {
						return
					}
				}
				t.Fatalf("child output ended before %q", want)
			}
			expect("in hand " + id)
			if err := child.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			expect("stopping")
			fmt.Fprintln(stdin, "finish")
			expect("RunAgent returned <nil>")
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			if err := child.Wait(); err != nil {
				t.Fatalf("child after %v: %v; want exit status 0", sig, err)
			}
			if in, err := e.admin.GetIntent(ctx, id); err != nil || in.Intent.Status != axme.IntentStatusCOMPLETED {
				t.Fatalf("intent in hand at the signal: %+v, %v; want COMPLETED", in, err)
			}
		})
	}
}

// runAgentChild is the child process: it finishes its delivery when the parent says so.
func runAgentChild() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, err := axme.NewClient(axme.ClientConfig{Logger: logger})
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	stdin := bufio.NewScanner(os.Stdin)
	err = c.RunAgent(context.Background(), os.Getenv("AXME_ADDRESS"), func(_ context.Context, d *axme.Delivery) (map[string]any, error) {
		fmt.Println("in hand", d.IntentID)
		stdin.Scan()
		return map[string]any{"finished": true}, nil
	})
	fmt.Println("RunAgent returned", err)
}
