// Runs the human-approval example end to end: the reference server, the
// agent and the initiator as real processes.
package approval

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
	"github.com/axme-ai/axme/go/axmetest"
)

func build(t *testing.T, dir, pkg string) string {
	t.Helper()
	bin := filepath.Join(dir, filepath.Base(pkg))
	out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

func TestHumanApprovalWorkflow(t *testing.T) {
	server, err := axmetest.Start()
	if errors.Is(err, axmetest.ErrNoPython) {
		t.Skip("example test skipped: ", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	ns, err := server.NewNamespace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := axme.NewClient(axme.ClientConfig{APIKey: ns.AdminKey, BaseURL: server.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := admin.RegisterAgent(ctx, axme.RegisterAgentRequest{Address: "change-validator"})
	if err != nil {
		t.Fatal(err)
	}

	bins := t.TempDir()
	agentBin := build(t, bins, "./agent")
	initiatorBin := build(t, bins, "./initiator")

	run := func(bin, key string, args ...string) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "AXME_BASE_URL="+server.BaseURL, "AXME_API_KEY="+key)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	agent, agentOut := run(agentBin, reg.APIKey, "-max-deliveries", "1", reg.Agent.Address)
	initiator, initOut := run(initiatorBin, ns.AdminKey, reg.Agent.Address)

	if err := initiator.Wait(); err != nil {
		t.Fatalf("initiator: %v\n%s\nagent:\n%s", err, initOut, agentOut)
	}
	if err := agent.Wait(); err != nil {
		t.Fatalf("agent: %v\n%s", err, agentOut)
	}
	t.Logf("initiator:\n%s\nagent:\n%s", initOut, agentOut)
	for _, want := range []string{"intent.human_task_assigned -> WAITING", "approved the human step", "final status COMPLETED", "validated:true"} {
		if !strings.Contains(initOut.String(), want) {
			t.Errorf("initiator output lacks %q", want)
		}
	}
}
