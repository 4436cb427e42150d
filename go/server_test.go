package axme_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
	"github.com/axme-ai/axme/go/axmetest"
)

// One reference server per test binary, started on first use.
var (
	serverOnce sync.Once
	server     *axmetest.Server
	serverErr  error
)

func TestMain(m *testing.M) {
	// Tests never see the machine's `axme login` profile (REQ-CLIENT-008).
	noProfile, err := os.MkdirTemp("", "axme-no-profile-")
	if err != nil {
		panic(err)
	}
	os.Setenv("AXME_CONFIG_DIR", noProfile)
	code := m.Run()
	os.RemoveAll(noProfile)
	if server != nil {
		server.Close()
	}
	os.Exit(code)
}

// env is one test's isolated namespace on the shared server.
type env struct {
	t     *testing.T
	ns    *axmetest.Namespace
	admin *axme.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	serverOnce.Do(func() { server, serverErr = axmetest.Start() })
	if errors.Is(serverErr, axmetest.ErrNoPython) {
		t.Skip("integration test skipped: ", serverErr)
	}
	if serverErr != nil {
		t.Fatalf("starting the reference server: %v", serverErr)
	}
	ns, err := server.NewNamespace(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ns: ns}
	e.admin = e.client(ns.AdminKey)
	return e
}

func (e *env) client(key string) *axme.Client {
	e.t.Helper()
	c, err := axme.NewClient(axme.ClientConfig{APIKey: key, BaseURL: server.BaseURL, RetryBaseDelay: 20 * time.Millisecond, Timeout: 10 * time.Second})
	if err != nil {
		e.t.Fatalf("NewClient: %v", err)
	}
	return c
}

func (e *env) fault(match, action map[string]any) {
	e.t.Helper()
	if err := e.ns.Fault(e.t.Context(), match, action); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) requests() []axmetest.Request {
	e.t.Helper()
	reqs, err := e.ns.Requests(e.t.Context())
	if err != nil {
		e.t.Fatal(err)
	}
	return reqs
}

// agent registers an agent by bare name and returns its canonical address
// and a client with its key.
func (e *env) agent(name string) (string, *axme.Client) {
	e.t.Helper()
	resp, err := e.admin.RegisterAgent(e.t.Context(), axme.RegisterAgentRequest{Address: name})
	if err != nil {
		e.t.Fatalf("RegisterAgent(%s): %v", name, err)
	}
	return resp.Agent.Address, e.client(resp.APIKey)
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}
