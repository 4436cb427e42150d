"""Admin safety nets (REQ-LIMIT-012, -014, -016): the last admin key cannot be revoked, /metrics
needs an admin key and shows its workspace only, and caches keyed by request input are bounded."""

from __future__ import annotations

import re

import httpx
import pytest
from helpers import Api, ServerProc, start_server


def gauge(text: str, name: str, labels: str = "") -> int | None:
    m = re.search(rf"^{re.escape(name + labels)} (\d+)$", text, re.MULTILINE)
    return int(m.group(1)) if m else None


def test_the_last_admin_key_cannot_be_revoked(api: Api) -> None:
    keys = api.ok(api.get("/v1/admin/keys"))["keys"]
    (mine,) = [k for k in keys if k["kind"] == "admin" and not k.get("revoked_at")]
    second = api.ok(api.post("/v1/admin/keys", {"kind": "admin", "name": "second"}))
    api.ok(api.delete(f"/v1/admin/keys/{second['key']['key_id']}"))  # another one is left: fine
    resp = api.delete(f"/v1/admin/keys/{mine['key_id']}")
    assert resp.status_code == 409, resp.text
    assert resp.json()["error"]["code"] == "last_admin_key"
    assert api.get("/v1/admin/keys").status_code == 200  # still in
    third = api.ok(api.post("/v1/admin/keys", {"kind": "admin", "name": "third"}))
    api.ok(api.delete(f"/v1/admin/keys/{mine['key_id']}"))  # with a replacement it may go
    assert api.get("/v1/admin/keys").status_code == 401
    successor = api.with_key(third["api_key"])
    assert successor.delete(f"/v1/admin/keys/{third['key']['key_id']}").status_code == 409


def test_metrics_need_an_admin_key_and_show_one_workspace(api: Api, server: ServerProc) -> None:
    assert httpx.get(server.base_url + "/metrics").status_code == 401
    address, agent = api.register_agent("metered")
    assert agent.get("/metrics").status_code == 403
    api.create(address)
    api.create(address)
    text = api.get("/metrics")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert gauge(text.text, "axme_intents", '{status="SUBMITTED"}') == 2
    other = Api(server.base_url, httpx.post(server.base_url + "/_testing/namespaces").json()["admin_api_key"])
    assert (
        gauge(other.get("/metrics").text, "axme_intents", '{status="SUBMITTED"}') is None
    )  # none in that one


@pytest.fixture(scope="module")
def small_caches(tmp_path_factory: pytest.TempPathFactory) -> ServerProc:
    proc = start_server(tmp_path_factory.mktemp("caches"), "--testing", "--cache-entries", "50")
    yield proc
    assert proc.stop() == 0


def test_caches_keyed_by_request_input_are_bounded(small_caches: ServerProc) -> None:
    admin = Api(
        small_caches.base_url,
        httpx.post(small_caches.base_url + "/_testing/namespaces").json()["admin_api_key"],
    )
    with httpx.Client(base_url=small_caches.base_url) as http:
        for i in range(200):  # unknown key ids (no auth needed) and unknown agent addresses
            assert (
                http.get("/v1/intents", headers={"x-api-key": f"axme_agent_{i:08x}x_{'s' * 32}"}).status_code
                == 401
            )
            assert admin.get(f"/v1/agents/nobody-{i}").status_code == 404
    text = admin.get("/metrics").text
    assert gauge(text, "axme_cache_entries", '{cache="keys"}') <= 50
    assert gauge(text, "axme_cache_entries", '{cache="agents"}') <= 50
    assert admin.get("/v1/intents").status_code == 200  # the admin's own key still authenticates
