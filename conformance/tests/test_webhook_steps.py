import httpx

from axme_conformance.push_steps import signature
from axme_conformance.webhook_steps import WebhookReceiver, received

SECRET = "whsec_" + "a1B2c3D4e5" * 3 + "f6"


def test_a_post_is_received_and_its_signature_checked_against_the_secrets() -> None:
    receiver = WebhookReceiver()
    try:
        body = b'{"reason":"assigned"}'
        header = f"t=1700000000,v1={signature('whsec_old_one_0123456789', 1700000000, body)}"
        header += f",v1={signature(SECRET, 1700000000, body)}"
        answer = httpx.post(
            receiver.url + "/ok/hook",
            content=body,
            headers={"X-Axme-Signature": header, "X-Axme-Notification-Id": "ntf_1"},
        )
        assert answer.status_code == 200
        assert receiver.wait(1, 5.0) and not receiver.wait(2, 0.1)
        [got] = received(receiver, [SECRET])
        assert got["path"] == "/ok/hook" and got["body"] == {"reason": "assigned"}
        assert got["verified"] and got["headers"]["x-axme-notification-id"] == "ntf_1"
        assert not received(receiver, ["whsec_someone_else_0123456789"])[0]["verified"]
        assert not received(receiver, [])[0]["verified"]
    finally:
        receiver.stop()
