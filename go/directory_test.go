package axme_test

import (
	"errors"
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
)

// DeleteAgent, ListAgentKeys, ListMyTasks and the workspace calls against the reference server.
func TestIntegrationDeleteAgentAndItsKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxTimeout(t, 20*time.Second)
	addr, agent := e.agent("to-delete")
	second, err := e.admin.CreateAgentKey(ctx, addr, axme.CreateAgentKeyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := e.admin.ListAgentKeys(ctx, addr)
	if err != nil || len(keys.Keys) != 2 || keys.Keys[1].KeyID != second.Key.KeyID {
		t.Fatalf("ListAgentKeys = %+v, %v", keys, err)
	}
	removed, err := e.admin.DeleteAgent(ctx, addr)
	if err != nil || removed.Agent.Address != addr || len(removed.RevokedKeyIds) != 2 {
		t.Fatalf("DeleteAgent = %+v, %v", removed, err)
	}
	if _, err := agent.GetAgent(ctx, addr); !errors.Is(err, axme.ErrAuthentication) {
		t.Fatalf("a deleted agent's key: %v", err)
	}
	if _, err := e.admin.DeleteAgent(ctx, addr); !errors.Is(err, axme.ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestIntegrationListMyTasksAndWorkspacesNeedTheRightKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxTimeout(t, 20*time.Second)
	human, err := e.admin.CreateKey(ctx, axme.CreateKeyRequest{Kind: axme.KeyKindHuman, Name: "ann",
		Human: &axme.HumanIdentity{ID: "ann", DisplayName: "Ann"}})
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := e.client(human.APIKey).ListMyTasks(ctx, nil)
	if err != nil || len(inbox.Tasks) != 0 || inbox.NextCursor != nil {
		t.Fatalf("ListMyTasks = %+v, %v", inbox, err)
	}
	if _, err := e.admin.ListMyTasks(ctx, nil); !errors.Is(err, axme.ErrPermissionDenied) {
		t.Fatalf("an admin key has no inbox: %v", err)
	}
	// a namespace's admin key is not the server operator's
	if _, err := e.admin.ListWorkspaces(ctx); !errors.Is(err, axme.ErrPermissionDenied) {
		t.Fatalf("ListWorkspaces: %v", err)
	}
	if _, err := e.admin.CreateWorkspace(ctx, "goorg", "production"); !errors.Is(err, axme.ErrPermissionDenied) {
		t.Fatalf("CreateWorkspace: %v", err)
	}
}
