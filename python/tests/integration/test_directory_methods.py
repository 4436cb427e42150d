"""deleteAgent, listAgentKeys, listMyTasks, createWorkspace, listWorkspaces (issue 17)."""

from __future__ import annotations

import pytest

import axme

from .conftest import Api
from .test_intents import new_intent

pytestmark = pytest.mark.integration


async def test_delete_agent_and_list_its_keys(api: Api) -> None:
    address, agent = await api.new_agent()
    second = await api.call("create_agent_key", address)
    keys = await api.call("list_agent_keys", address)
    assert [k.key_id for k in keys.entries][-1] == second.key.key_id
    assert all(k["agent_address"] == address for k in keys.entries)
    removed = await api.call("delete_agent", address)
    assert removed.agent.address == address
    assert set(removed.revoked_key_ids) == {k.key_id for k in keys.entries}
    with pytest.raises(axme.AuthenticationError):
        await api.call_on(agent, "get_agent", address)
    with pytest.raises(axme.NotFoundError):
        await api.call("delete_agent", address)


async def test_list_my_tasks_is_the_human_inbox(api: Api) -> None:
    address, agent = await api.new_agent()
    human = await api.call("create_key", "human", "ann", human={"id": "ann", "display_name": "Ann"})
    ann = api.client(human.api_key)
    intent_id = await api.call(
        "send_intent", new_intent(address, human_task={"title": "Sign", "assignees": ["ann"]})
    )
    batch = await api.call_on(agent, "poll_agent_deliveries", address, wait_seconds=5)
    await api.call_on(
        agent, "resume_intent", intent_id, {"ok": 1}, delivery_id=batch.deliveries[0].delivery_id
    )
    inbox = await api.call_on(ann, "list_my_tasks")
    assert [t.intent_id for t in inbox.tasks] == [intent_id]
    with pytest.raises(axme.PermissionDeniedError):
        await api.call("list_my_tasks")


async def test_workspaces_need_an_operator_key(api: Api) -> None:
    with pytest.raises(axme.PermissionDeniedError):  # a namespace's admin is not the operator
        await api.call("list_workspaces")
    operator = api.client(api.server.admin_api_key)
    made = await api.call_on(operator, "create_workspace", f"org-{api.namespace}", "production")
    assert made.workspace.org == f"org-{api.namespace}" and made.api_key.startswith("axme_admin_")
    listed = await api.call_on(operator, "list_workspaces")
    assert listed.workspaces[-1]["workspace_id"] == made.workspace["workspace_id"]
