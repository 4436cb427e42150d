"""Decision links (REQ-NOTIFY-010, REQ-SECRET-008): rooted at --public-url, signed with the
rotatable link secret (a rotation with overlap keeps old links working; without, they are
forged), expiring at the step's deadline, refused once used for as long as they live (retention
keeps the marker); and the --smtp-url forms (REQ-NOTIFY-007)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import httpx
import pytest
from helpers import Api, start_server
from push_receiver import Receiver

from axme_server.notify.channels import parse_smtp_url


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


def page_link(api: Api, receiver: Receiver, name: str, **extra) -> str:
    addr, agent = api.register_agent(name)
    intent_id = api.create(
        addr,
        human_task={"title": "t", "notify": [{"channel": "webhook", "to": receiver.url + "/ok/links"}]},
        **extra,
    )
    agent.ok(agent.complete(intent_id, {}))
    return json.loads(receiver.next(timeout=10).body)["links"]["page"]


def test_links_rooted_at_public_url_and_rotation(tmp_path, receiver) -> None:
    srv = start_server(tmp_path / "links", "--testing", "--public-url", "https://axme.example.com/")
    try:
        api = Api(srv.base_url, srv.admin_key)
        link = page_link(api, receiver, "links-a")
        assert link.startswith("https://axme.example.com/t/")
        local = srv.base_url + link.removeprefix("https://axme.example.com")
        assert httpx.get(local).status_code == 200
        api.ok(api.post("/v1/server/link-secret", {"overlap_seconds": 3600}))
        assert httpx.get(local).status_code == 200  # the previous secret still verifies in the overlap
        newer = srv.base_url + page_link(api, receiver, "links-b").removeprefix("https://axme.example.com")
        api.ok(api.post("/v1/server/link-secret", {"overlap_seconds": 0}))
        assert httpx.get(local).status_code == 403  # two rotations later, without overlap: not valid
        assert httpx.get(newer).status_code == 403
        assert (
            httpx.get(
                srv.base_url + page_link(api, receiver, "links-c").removeprefix("https://axme.example.com")
            ).status_code
            == 200
        )
    finally:
        assert srv.stop() == 0


def test_link_expires_at_the_step_deadline_or_after_7_days(api: Api, receiver: Receiver) -> None:
    now = datetime.fromisoformat(api.http.get("/_testing/clock").json()["now"])
    soon = page_link(api, receiver, "links-soon", deadline_at=(now + timedelta(hours=1)).isoformat())
    late = page_link(api, receiver, "links-late", deadline_at="2100-01-01T00:00:00Z")
    soon, late = (api.base_url + "/t/" + link.rsplit("/t/", 1)[1] for link in (soon, late))
    assert httpx.get(soon).status_code == 200 and httpx.get(late).status_code == 200
    api.advance(3601)  # past the 1-hour deadline: that link has expired, the other has not
    assert httpx.get(soon).status_code == 410 and httpx.get(late).status_code == 200
    api.advance(7 * 86400)  # 7 days is the cap whatever the deadline
    assert httpx.get(late).status_code == 410


def test_the_timeout_action_is_notified_without_a_deciding_link(api: Api, receiver: Receiver) -> None:
    addr, agent = api.register_agent("links-timeout")
    intent_id = api.create(
        addr,
        on_timeout="fail",
        human_task={"title": "t", "notify": [{"channel": "webhook", "to": receiver.url + "/ok/timeout"}]},
        deadline_at=(
            datetime.fromisoformat(api.http.get("/_testing/clock").json()["now"]) + timedelta(seconds=30)
        ).isoformat(),
    )
    agent.ok(agent.complete(intent_id, {}))
    assert json.loads(receiver.next(timeout=10).body)["reason"] == "assigned"
    api.advance(31)
    note = json.loads(receiver.next(timeout=10).body)
    assert note["reason"] == "timeout" and note["links"]["can_decide"] is False
    assert api.intent(intent_id)["status"] == "TIMED_OUT"
    listed = api.ok(api.get(f"/v1/intents/{intent_id}/notifications"))["notifications"]
    assert [n["reason"] for n in listed] == ["assigned", "timeout"]


@pytest.mark.parametrize(
    ("url", "expect"),
    [
        ("smtp://relay.example.com:2525", ("relay.example.com", 2525, None, None, False, False)),
        ("smtp://u%40x:p%3Aw@relay:587?starttls=1", ("relay", 587, "u@x", "p:w", False, True)),
        ("smtps://relay", ("relay", 465, None, None, True, False)),
    ],
)
def test_smtp_url_forms(url: str, expect: tuple) -> None:
    r = parse_smtp_url(url)
    assert (r.host, r.port, r.username, r.password, r.use_tls, r.start_tls) == expect


@pytest.mark.parametrize("url", ["http://relay:25", "smtp://", "relay:25"])
def test_bad_smtp_url(url: str) -> None:
    with pytest.raises(ValueError):
        parse_smtp_url(url)


def test_server_refuses_a_bad_smtp_url(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="smtp-url"):
        start_server(tmp_path / "bad-smtp", "--smtp-url", "http://relay:25")


def test_a_used_link_is_refused_until_it_expires_while_retention_runs(tmp_path, receiver) -> None:
    """Retention keeps a used link's marker as long as the link lives (REQ-NOTIFY-010): with its
    intent deleted (--retain-intents-days 1) only the marker answers 409 instead of 410."""
    srv = start_server(
        tmp_path / "used", "--testing", "--retain-intents-days", "1", "--retention-interval-seconds", "0.1"
    )
    try:
        api = Api(srv.base_url, srv.admin_key)
        token = page_link(api, receiver, "links-used").rsplit("/t/", 1)[1]
        decided = httpx.post(srv.base_url + "/t", data={"token": token, "outcome": "approved"})
        assert decided.status_code == 200
        intent_id = api.ok(api.get("/v1/intents"))["intents"][0]["intent_id"]
        assert api.intent(intent_id)["status"] == "COMPLETED"
        api.advance(2 * 86400)  # past the intents' window, within the link's 7 days
        deadline = time.monotonic() + 15
        while api.get(f"/v1/intents/{intent_id}").status_code != 404:  # a retention pass ran
            assert time.monotonic() < deadline, "retention did not run in time"
            time.sleep(0.05)
        again = httpx.post(srv.base_url + "/t", data={"token": token, "outcome": "rejected"})
        assert again.status_code == 409 and "already used" in again.text
        assert httpx.get(srv.base_url + "/t/" + token).status_code == 409
        api.advance(6 * 86400)  # now the link has expired: refused as such, marker or not
        assert httpx.get(srv.base_url + "/t/" + token).status_code == 410
    finally:
        assert srv.stop() == 0
