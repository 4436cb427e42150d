// Command axme-conformance-driver speaks the conformance driver protocol
// (conformance/driver-protocol.md) on stdin/stdout, using only the public
// API of package axme. Logs go to stderr.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	axme "github.com/axme-ai/axme/go"
)

// message is one harness line. Op parameters may be at the top level or
// under args; both are read.
type message struct {
	ID     int            `json:"id"`
	Op     string         `json:"op"`
	Client string         `json:"client"`
	Method string         `json:"method"`
	Args   map[string]any `json:"args"`
	Config map[string]any `json:"config"`
	Top    map[string]any `json:"-"`
}

type driver struct {
	out   *json.Encoder
	outMu sync.Mutex
	log   *slog.Logger // the driver's own messages
	// The SDK's logs on stderr: warnings and up, or everything with log_level debug.
	sdkLog, sdkDebugLog *slog.Logger
	mu                  sync.Mutex
	clients             map[string]*axme.Client
	latest              string
	running             map[int]context.CancelFunc
	wg                  sync.WaitGroup
}

func main() {
	d := &driver{
		out:         json.NewEncoder(os.Stdout),
		log:         slog.New(slog.NewTextHandler(os.Stderr, nil)),
		sdkLog:      slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		sdkDebugLog: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
		clients:     map[string]*axme.Client{},
		running:     map[int]context.CancelFunc{},
	}
	d.out.SetEscapeHTML(false)
	if err := d.serve(os.Stdin); err != nil {
		d.log.Error("driver stopped", "error", err)
		os.Exit(1)
	}
}

func (d *driver) serve(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var m message
		if err := json.Unmarshal(line, &m); err != nil {
			d.log.Error("bad harness line", "line", string(line), "error", err)
			continue
		}
		_ = json.Unmarshal(line, &m.Top)
		if m.Op == "shutdown" {
			d.emit(map[string]any{"id": m.ID, "ok": true, "result": map[string]any{}})
			return nil
		}
		d.dispatch(m)
	}
	d.wg.Wait()
	return sc.Err()
}

// param reads an op parameter from args, else from the top level.
func (m message) param(key string) any {
	if v, ok := m.Args[key]; ok {
		return v
	}
	return m.Top[key]
}

func (m message) params() map[string]any {
	out := map[string]any{}
	for k, v := range m.Top {
		out[k] = v
	}
	for k, v := range m.Args {
		out[k] = v
	}
	return out
}

func (d *driver) dispatch(m message) {
	switch m.Op {
	case "hello":
		d.ok(m.ID, map[string]any{"sdk": "go", "version": axme.Version,
			"capabilities": []string{"retries", "observe", "wait_for", "listen", "cancel", "push"}})
	case "new_client":
		d.newClient(m)
	case "cancel":
		target := int(num(m.param("target_id")))
		d.mu.Lock()
		cancel, found := d.running[target]
		d.mu.Unlock()
		if found {
			cancel()
		}
		d.ok(m.ID, map[string]any{"cancelled": found})
	case "call", "observe", "wait_for", "listen", "push_receiver":
		c, err := d.client(m.Client)
		if err != nil {
			d.fail(m.ID, err)
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		d.mu.Lock()
		d.running[m.ID] = cancel
		d.mu.Unlock()
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer func() {
				d.mu.Lock()
				delete(d.running, m.ID)
				d.mu.Unlock()
				cancel()
			}()
			d.run(ctx, c, m)
		}()
	default:
		d.emit(map[string]any{"id": m.ID, "ok": false, "error": map[string]any{"type": "Unsupported", "message": "unknown op " + m.Op}})
	}
}

func (d *driver) run(ctx context.Context, c *axme.Client, m message) {
	defer func() {
		if r := recover(); r != nil {
			d.emit(map[string]any{"id": m.ID, "ok": false, "error": map[string]any{"type": "DriverError", "message": fmt.Sprint("panic: ", r)}})
		}
	}()
	switch m.Op {
	case "call":
		result, err := call(ctx, c, m.Method, m.Args)
		if err != nil {
			d.fail(m.ID, err)
			return
		}
		d.ok(m.ID, result)
	case "observe":
		d.observe(ctx, c, m)
	case "wait_for":
		result, err := waitFor(ctx, c, m.params())
		if err != nil {
			d.fail(m.ID, err)
			return
		}
		d.ok(m.ID, result)
	case "listen":
		d.listen(ctx, c, m)
	case "push_receiver":
		d.pushReceiver(ctx, c, m)
	}
}

func (d *driver) newClient(m message) {
	// An absent api_key/base_url stays "": the SDK reads AXME_API_KEY / AXME_BASE_URL.
	cfg := axme.ClientConfig{
		BaseURL: str(m.Config, "base_url"),
		APIKey:  str(m.Config, "api_key"),
		Logger:  d.sdkLog,
	}
	if m.Config["log_level"] == "debug" {
		cfg.Logger = d.sdkDebugLog
	}
	if v, ok := m.Config["max_retries"]; ok && v != nil {
		cfg.MaxRetries = axme.Ptr(int(num(v)))
	}
	if v, ok := m.Config["retry_base_ms"]; ok && v != nil {
		cfg.RetryBaseDelay = millis(v)
	}
	if v, ok := m.Config["timeout_ms"]; ok && v != nil {
		cfg.Timeout = millis(v)
	}
	c, err := axme.NewClient(cfg)
	if err != nil {
		// NewClient does no I/O: its error is the configuration error (REQ-CLIENT-001).
		d.emit(map[string]any{"id": m.ID, "ok": false, "error": map[string]any{
			"type": "Configuration", "message": err.Error(), "status": nil, "code": nil, "retryable": nil}})
		return
	}
	d.mu.Lock()
	name := fmt.Sprintf("c%d", len(d.clients)+1)
	d.clients[name] = c
	d.latest = name
	d.mu.Unlock()
	d.ok(m.ID, map[string]any{"client": name})
}

func (d *driver) client(name string) (*axme.Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if name == "" {
		name = d.latest
	}
	c, ok := d.clients[name]
	if !ok {
		return nil, fmt.Errorf("no client %q: send new_client first", name)
	}
	return c, nil
}

func (d *driver) emit(v any) {
	d.outMu.Lock()
	defer d.outMu.Unlock()
	if err := d.out.Encode(v); err != nil {
		d.log.Error("writing stdout", "error", err)
	}
}

func (d *driver) ok(id int, result any) {
	d.emit(map[string]any{"id": id, "ok": true, "result": result})
}

func (d *driver) fail(id int, err error) {
	d.emit(map[string]any{"id": id, "ok": false, "error": errorObject(err)})
}
