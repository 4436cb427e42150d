"""Contract checks: the console's sign-in, session cookie, sign-out, CSRF and Origin
(REQ-CONSOLE-001..005). SKIP on a server without a console (it is a MAY)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.console import (
    ConsoleBrowser,
    console_or_skip,
    redirected_to_sign_in,
    signed_in,
)
from axme_conformance.contract.registry import check

LIFETIME_S = 12 * 3600  # the reference server's default --console-session-hours


def _new_admin_key(c: ContractClient) -> tuple[str, str]:
    body = c.ok(c.request("POST", "/v1/admin/keys", body={"kind": "admin", "name": "console"}))
    return body["api_key"], body["key"]["key_id"]


@check("console/sign-in-sets-one-session-cookie", requirements=["REQ-CONSOLE-001"])
def sign_in(c: ContractClient) -> None:
    console_or_skip(c)
    page = c.request("GET", "/console/sign-in", key=None)
    expect(page.status_code == 200, f"the sign-in page: {page.status_code}")
    expect(
        'type="password"' in page.text
        and 'name="api_key"' in page.text
        and 'method="post"' in page.text.lower(),
        "the key is typed into a password field and posted",
    )
    revoked, revoked_id = _new_admin_key(c)
    c.ok(c.request("DELETE", f"/v1/admin/keys/{revoked_id}"))
    prefix, _, _ = c.admin_key.rpartition("_")
    for bad in ("not-a-key", f"{prefix}_{'x' * 32}", "axme_admin_zzzzzzzz_" + "y" * 32, revoked):
        browser = ConsoleBrowser(c)
        response = browser.sign_in(bad)
        expect(
            response.status_code == 401,
            f"sign-in with a refused key must be 401: {response.status_code}",
        )
        expect(not response.headers.get_list("set-cookie"), "a refused sign-in sets no cookie")
    key = c.admin_key
    browser = ConsoleBrowser(c)
    response = browser.sign_in(key)
    expect(
        response.status_code == 303
        and response.headers.get("location", "").startswith(("/console", f"{c.base_url}/console")),
        f"sign-in answers 303 to the console: {response.status_code} "
        f"{response.headers.get('location')}",
    )
    expect(
        len(response.headers.get_list("set-cookie")) == 1 and browser.cookie is not None,
        f"one Set-Cookie: {response.headers.get_list('set-cookie')}",
    )
    assert browser.cookie is not None
    attrs = browser.cookie.attributes
    expect("httponly" in attrs, f"the cookie must be HttpOnly: {attrs}")
    expect(attrs.get("samesite", "").lower() == "strict", f"SameSite=Strict: {attrs}")
    expect(attrs.get("path") == "/console", f"Path=/console: {attrs}")
    expect(
        ("secure" in attrs) == c.base_url.startswith("https:"), f"Secure exactly over TLS: {attrs}"
    )
    if c.data_dir is not None:
        expect(attrs.get("max-age") == str(LIFETIME_S), f"Max-Age = the 12 h default: {attrs}")
    value = browser.cookie.value
    raw = _decoded_length(value)
    expect(raw >= 16, f"a session id of at least 128 bits, got {value!r}")
    secret = key.rsplit("_", 1)[1]
    location = response.headers.get("location", "")
    for where, text in (("cookie", value), ("redirect", location), ("page", response.text)):
        expect(secret not in text and key not in text, f"the key must not appear in the {where}")
    again = ConsoleBrowser(c)
    again.sign_in(key)
    expect(
        again.cookie is not None and again.cookie.value != value, "each sign-in makes a new session"
    )


def _decoded_length(value: str) -> int:
    """Bytes of randomness a session id can carry, reading it as hex or base64url."""
    if all(ch in "0123456789abcdef" for ch in value.lower()):
        return len(value) // 2
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except ValueError:
        return len(value) * 6 // 8


@check("console/sessions-stored-hashed-and-end-with-the-key", requirements=["REQ-CONSOLE-002"])
def sessions_hashed(c: ContractClient) -> None:
    console_or_skip(c)
    key, key_id = _new_admin_key(c)
    browser = signed_in(c, key)
    assert browser.cookie is not None
    session_id = browser.cookie.value
    expect(browser.get("/console/intents").status_code == 200, "the new session works")
    if c.data_dir is not None:
        stored = b"".join(p.read_bytes() for p in c.data_dir.rglob("*") if p.is_file())
        expect(session_id.encode() not in stored, "the session id itself is in the server's files")
        digest = hashlib.sha256(session_id.encode()).hexdigest()
        expect(
            digest.encode() in stored or bytes.fromhex(digest) in stored,
            "the store must keep the SHA-256 of the session id",
        )
    c.ok(c.request("DELETE", f"/v1/admin/keys/{key_id}"))
    expect(
        redirected_to_sign_in(browser.get("/console/intents")),
        "a session must stop working when its key is revoked",
    )


@check("console/sign-out-ends-the-session", requirements=["REQ-CONSOLE-003", "REQ-CONSOLE-005"])
def sign_out(c: ContractClient) -> None:
    console_or_skip(c)
    browser = signed_in(c)
    token = browser.csrf()
    for form in ({}, {"csrf": "0" * len(token)}):
        refused = browser.post("/console/sign-out", form)
        expect(
            refused.status_code == 403,
            f"sign-out without the right csrf must be 403: {refused.status_code}",
        )
        expect(
            browser.get("/console/intents").status_code == 200, "a refused sign-out changes nothing"
        )
    refused = browser.post("/console/sign-out", {"csrf": token}, origin="https://evil.example")
    expect(
        refused.status_code == 403, f"a POST from another Origin must be 403: {refused.status_code}"
    )
    done = browser.post("/console/sign-out", {"csrf": token}, origin=c.base_url)
    expect(
        redirected_to_sign_in(done), f"sign-out answers 303 to the sign-in page: {done.status_code}"
    )
    cleared = done.headers.get_list("set-cookie")
    expect(
        len(cleared) == 1
        and ("max-age=0" in cleared[0].lower() or "expires=thu, 01 jan 1970" in cleared[0].lower()),
        f"sign-out clears the cookie: {cleared}",
    )
    expect(
        redirected_to_sign_in(browser.get("/console/intents")), "the cookie works after sign-out"
    )


@check("console/cookie-is-no-credential-for-v1", requirements=["REQ-CONSOLE-004"])
def cookie_not_for_v1(c: ContractClient) -> None:
    console_or_skip(c)
    browser = signed_in(c)
    assert browser.cookie is not None
    cookie = {"cookie": f"{browser.cookie.name}={browser.cookie.value}"}
    for path in ("/v1/intents", "/v1/agents", "/metrics"):
        c.error(c.request("GET", path, key=None, headers=cookie), 401, "unauthorized")
    anonymous = ConsoleBrowser(c)
    for page in ("/console/intents", "/console/inbox", "/console/agents"):
        expect(
            redirected_to_sign_in(anonymous.get(page)), f"{page} without a session: 303 to sign-in"
        )
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    stream = anonymous.get(f"/console/intents/{intent_id}/events")
    expect(
        stream.status_code == 401,
        f"the console stream without a session must be 401: {stream.status_code}",
    )


@check("console/csrf-per-session-and-origin", requirements=["REQ-CONSOLE-005"])
def csrf_and_origin(c: ContractClient) -> None:
    console_or_skip(c)
    one, two = signed_in(c), signed_in(c)
    expect(one.csrf() != two.csrf(), "each session has its own csrf token")
    refused = ConsoleBrowser(c).post(
        "/console/sign-in", {"api_key": c.admin_key}, origin="https://evil.example"
    )
    expect(
        refused.status_code == 403 and not refused.headers.get_list("set-cookie"),
        f"a sign-in posted from another Origin must be 403 without a cookie: {refused.status_code}",
    )
    address, _ = c.new_agent()
    path = f"/v1/agents/{quote(address, safe='')}/keys"
    created = c.ok(c.request("POST", path, body={}))
    key_id = created["key"]["key_id"]
    # Another session's token, and a right token from a foreign Origin, change nothing.
    for token, origin in ((two.csrf(), c.base_url), (one.csrf(), "https://evil.example")):
        response = one.post(
            "/console/keys/revoke", {"csrf": token, "key_id": key_id}, origin=origin
        )
        expect(
            response.status_code == 403,
            f"revoke with {token[:6]}… from {origin}: {response.status_code}",
        )
    keys = c.ok(c.request("GET", path))["keys"]
    expect(
        any(k["key_id"] == key_id for k in keys) and all(not k.get("revoked_at") for k in keys),
        f"a refused form revoked a key: {keys}",
    )
