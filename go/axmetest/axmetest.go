// Package axmetest runs the AXME reference server (axme_server, Python) for
// tests: one process per Server, bound to 127.0.0.1 on a free port, with
// its test-only endpoints (namespaces, fault scripts, request records).
package axmetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoPython means the Python interpreter with axme_server is missing;
// tests usually skip on it.
var ErrNoPython = errors.New("axmetest: the reference server's Python is not installed")

// Server is a running reference server.
type Server struct {
	BaseURL string
	// AdminKey is the admin key of the server's first workspace: the operator's
	// key (workspace management, rotateLinkSecret), not a namespace's.
	AdminKey string
	cmd      *exec.Cmd
	dir      string
	done     chan struct{}
}

// Python returns the interpreter used to run axme_server: $AXME_SERVER_PYTHON,
// else <repo>/.venv/bin/python found by walking up from the working directory.
func Python() string {
	if p := os.Getenv("AXME_SERVER_PYTHON"); p != "" {
		return p
	}
	dir, _ := os.Getwd()
	for range 6 {
		p := filepath.Join(dir, ".venv", "bin", "python")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		dir = filepath.Dir(dir)
	}
	return filepath.Join(".venv", "bin", "python")
}

// Start runs `python -m axme_server --testing` and waits up to a minute for
// its AXME_SERVER_READY line. Stop it with Close.
func Start() (*Server, error) {
	py := Python()
	if _, err := os.Stat(py); err != nil {
		return nil, fmt.Errorf("%w: %s (run `make venv` at the repository root)", ErrNoPython, py)
	}
	dir, err := os.MkdirTemp("", "axmetest-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(py, "-m", "axme_server", "--host", "127.0.0.1", "--port", "0",
		"--data-dir", filepath.Join(dir, "data"), "--testing")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{cmd: cmd, dir: dir, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "AXME_SERVER_READY "); ok {
				ready <- line
				break
			}
		}
		_, _ = io.Copy(io.Discard, out) // keep draining so the server never blocks
	}()
	select {
	case line := <-ready:
		var info struct {
			BaseURL  string `json:"base_url"`
			AdminKey string `json:"admin_api_key"`
		}
		if err := json.Unmarshal([]byte(line), &info); err != nil || info.BaseURL == "" {
			s.Close()
			return nil, fmt.Errorf("axmetest: bad ready line %q", line)
		}
		s.BaseURL, s.AdminKey = info.BaseURL, info.AdminKey
		return s, nil
	case <-s.done:
		s.Close()
		return nil, errors.New("axmetest: axme_server exited before it was ready (see stderr)")
	case <-time.After(time.Minute):
		s.Close()
		return nil, errors.New("axmetest: no AXME_SERVER_READY line within 60 s")
	}
}

// Close stops the server (SIGINT, then SIGKILL after 10 s) and removes its data.
func (s *Server) Close() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	_ = os.RemoveAll(s.dir)
}

// Namespace is a fresh, isolated workspace on a testing server.
type Namespace struct {
	Name     string `json:"namespace"`
	AdminKey string `json:"admin_api_key"`
	server   *Server
}

// NewNamespace creates a workspace whose requests are recorded and subject
// to its own fault scripts.
func (s *Server) NewNamespace(ctx context.Context) (*Namespace, error) {
	ns := &Namespace{server: s}
	if err := s.do(ctx, http.MethodPost, "/_testing/namespaces", map[string]any{}, ns); err != nil {
		return nil, err
	}
	return ns, nil
}

// Fault installs a fault script (REQ-TEST-004), e.g.
// match {"op":"createIntent"}, action {"type":"status","status":503,"times":2}.
func (n *Namespace) Fault(ctx context.Context, match, action map[string]any) error {
	return n.server.do(ctx, http.MethodPost, "/_testing/faults",
		map[string]any{"namespace": n.Name, "match": match, "action": action}, nil)
}

// Request is one request the server recorded for a namespace.
type Request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Op      string            `json:"op"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    any               `json:"body"`
}

// Requests returns what the server recorded for the namespace so far.
func (n *Namespace) Requests(ctx context.Context) ([]Request, error) {
	var out struct {
		Requests []Request `json:"requests"`
	}
	err := n.server.do(ctx, http.MethodGet, "/_testing/requests?namespace="+n.Name, nil, &out)
	return out.Requests, err
}

func (s *Server) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.BaseURL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("axmetest: %s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
