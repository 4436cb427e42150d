/** deleteAgent, listAgentKeys, listMyTasks, createWorkspace, listWorkspaces against the real server. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AuthenticationError, AxmeClient, NotFoundError, PermissionDeniedError } from "../src/index.js";
import { startServer, type RunningServer } from "./server.js";

let server: RunningServer;
let admin: AxmeClient;

before(async () => {
  server = await startServer(["--keepalive-seconds", "1"]);
  admin = new AxmeClient({ apiKey: server.adminKey, baseUrl: server.baseUrl, retryBaseDelay: 20 });
});
after(() => server?.stop());

const client = (apiKey: string) => new AxmeClient({ apiKey, baseUrl: server.baseUrl, retryBaseDelay: 20 });

describe("agents, inbox and workspaces", () => {
  it("deleteAgent revokes the agent's keys; listAgentKeys lists them", async () => {
    const registered = await admin.registerAgent({ address: "to-delete", deliveryMode: "poll" });
    const address = registered.agent.address;
    const second = await admin.createAgentKey(address);
    const keys = await admin.listAgentKeys(address);
    assert.deepEqual(keys.keys.map((k) => k.key_id).at(-1), second.key.key_id);
    const removed = await admin.deleteAgent(address);
    assert.equal(removed.agent.address, address);
    assert.deepEqual(new Set(removed.revoked_key_ids), new Set(keys.keys.map((k) => k.key_id)));
    await assert.rejects(client(registered.api_key).getAgent(address), AuthenticationError);
    await assert.rejects(admin.deleteAgent(address), NotFoundError);
  });

  it("listMyTasks is a human key's inbox", async () => {
    const human = await admin.createKey({ kind: "human", name: "ann", human: { id: "ann", display_name: "Ann" } });
    const inbox = await client(human.api_key).listMyTasks({ limit: 10 });
    assert.deepEqual(inbox.tasks, []);
    assert.equal(inbox.next_cursor, null);
    await assert.rejects(admin.listMyTasks(), PermissionDeniedError);
  });

  it("createWorkspace and listWorkspaces (operator key)", async () => {
    const made = await admin.createWorkspace("tsorg", "production");
    assert.equal(made.workspace.org, "tsorg");
    assert.match(made.api_key, /^axme_admin_/);
    const listed = await admin.listWorkspaces();
    assert.deepEqual(listed.workspaces.at(-1), made.workspace);
    await assert.rejects(client(made.api_key).listWorkspaces(), PermissionDeniedError);
  });
});
