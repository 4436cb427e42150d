package axme_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
)

// The reference server (INTERFACES §1) is started once per test binary, on
// first use, and stopped by TestMain.
var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
	serverCmd  *exec.Cmd
	serverDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if serverCmd != nil && serverCmd.Process != nil {
		_ = serverCmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = serverCmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = serverCmd.Process.Kill()
		}
	}
	if serverDir != "" {
		_ = os.RemoveAll(serverDir)
	}
	os.Exit(code)
}

func serverPython() string {
	if p := os.Getenv("AXME_SERVER_PYTHON"); p != "" {
		return p
	}
	p, _ := filepath.Abs(filepath.Join("..", ".venv", "bin", "python"))
	return p
}

// startServer runs `python -m axme_server --testing` and waits (bounded) for
// its AXME_SERVER_READY line.
func startServer() (string, error) {
	py := serverPython()
	if _, err := os.Stat(py); err != nil {
		return "", fmt.Errorf("skip: %s not found (run `make venv` at the repository root)", py)
	}
	dir, err := os.MkdirTemp("", "axme-go-it-")
	if err != nil {
		return "", err
	}
	serverDir = dir
	cmd := exec.Command(py, "-m", "axme_server", "--host", "127.0.0.1", "--port", "0", "--data-dir", filepath.Join(dir, "data"), "--testing")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	serverCmd = cmd
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "AXME_SERVER_READY "); ok {
				ready <- line
				break
			}
		}
		for sc.Scan() { // keep draining so the server never blocks on stdout
		}
	}()
	select {
	case line := <-ready:
		var info struct {
			BaseURL string `json:"base_url"`
		}
		if err := json.Unmarshal([]byte(line), &info); err != nil {
			return "", fmt.Errorf("bad ready line %q: %w", line, err)
		}
		return info.BaseURL, nil
	case <-time.After(60 * time.Second):
		return "", fmt.Errorf("axme_server printed no AXME_SERVER_READY line within 60 s")
	}
}

// env is one test's isolated namespace on the shared server.
type env struct {
	t        *testing.T
	baseURL  string
	ns       string
	adminKey string
	admin    *axme.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	serverOnce.Do(func() { serverURL, serverErr = startServer() })
	if serverErr != nil {
		if strings.HasPrefix(serverErr.Error(), "skip:") {
			t.Skip("integration test needs the reference server: " + serverErr.Error())
		}
		t.Fatalf("starting the reference server: %v", serverErr)
	}
	e := &env{t: t, baseURL: serverURL}
	var ns struct {
		Namespace   string `json:"namespace"`
		AdminAPIKey string `json:"admin_api_key"`
	}
	e.raw(http.MethodPost, "/_testing/namespaces", map[string]any{}, &ns)
	e.ns, e.adminKey = ns.Namespace, ns.AdminAPIKey
	e.admin = e.client(e.adminKey)
	return e
}

func (e *env) client(key string) *axme.Client {
	e.t.Helper()
	c, err := axme.NewClient(axme.ClientConfig{APIKey: key, BaseURL: e.baseURL, RetryBaseDelay: 20 * time.Millisecond, Timeout: 10 * time.Second})
	if err != nil {
		e.t.Fatalf("NewClient: %v", err)
	}
	return c
}

// raw calls a test-only endpoint (not part of the SDK).
func (e *env) raw(method, path string, body any, out any) {
	e.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, e.baseURL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		e.t.Fatalf("%s %s: status %d", method, path, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			e.t.Fatalf("%s %s: decoding: %v", method, path, err)
		}
	}
}

// fault installs a fault script for this namespace.
func (e *env) fault(match, action map[string]any) {
	e.raw(http.MethodPost, "/_testing/faults", map[string]any{"namespace": e.ns, "match": match, "action": action}, nil)
}

type recordedRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Op      string            `json:"op"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
}

func (e *env) requests() []recordedRequest {
	var out struct {
		Requests []recordedRequest `json:"requests"`
	}
	e.raw(http.MethodGet, "/_testing/requests?namespace="+e.ns, nil, &out)
	return out.Requests
}

// agent registers an agent with a unique bare name and returns its address
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
