"""A browser's view of the console (REQ-CONSOLE): sign in with a key, keep the session
cookie, read the CSRF token out of the pages, post forms. Plain httpx, redirects not
followed, so every 303 and Set-Cookie can be judged."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import httpx

from axme_conformance.contract.client import CheckFailed, CheckSkipped, ContractClient, expect

CSRF = re.compile(r'name="csrf"\s+value="([^"]*)"')


@dataclass
class SetCookie:
    name: str
    value: str
    attributes: dict[str, str]  # lower-case names; flags map to ""


def parse_set_cookie(header: str) -> SetCookie:
    first, *rest = [p.strip() for p in header.split(";")]
    name, _, value = first.partition("=")
    attributes = {}
    for part in rest:
        key, _, val = part.partition("=")
        attributes[key.strip().lower()] = val.strip()
    return SetCookie(name, value, attributes)


class ConsoleBrowser:
    def __init__(self, c: ContractClient) -> None:
        self.c = c
        self.cookie: SetCookie | None = None

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self._send("GET", path, params=params)

    def post(self, path: str, form: dict[str, str], origin: str | None = None) -> httpx.Response:
        return self._send("POST", path, data=form, origin=origin)

    def _send(
        self, method: str, path: str, *, origin: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = self._headers()
        if origin is not None:
            headers["origin"] = origin
        try:
            return self.c.http.request(method, path, headers=headers, **kw)
        finally:
            # This browser's cookie is its own: the suite's client must not keep one.
            self.c.http.cookies.clear()

    def _headers(self) -> dict[str, str]:
        return {"cookie": f"{self.cookie.name}={self.cookie.value}"} if self.cookie else {}

    def sign_in(self, key: str) -> httpx.Response:
        response = self.post("/console/sign-in", {"api_key": key}, origin=self.c.base_url)
        cookies = response.headers.get_list("set-cookie")
        if response.status_code == 303 and len(cookies) == 1:
            self.cookie = parse_set_cookie(cookies[0])
        return response

    def csrf(self, path: str = "/console/intents") -> str:
        page = self.get(path)
        expect(page.status_code == 200, f"GET {path} → {page.status_code}")
        found = CSRF.search(page.text)
        expect(found is not None, f"{path} has no form field csrf")
        assert found is not None
        return html.unescape(found.group(1))


def console_or_skip(c: ContractClient) -> None:
    """The console is a MAY (REQ-CONSOLE): a server without /console SKIPs these checks;
    the reference server (--reference) always serves it."""
    if c.request("GET", "/console/sign-in", key=None).status_code == 404:
        if c.data_dir is not None:
            raise CheckFailed("the reference server must serve the console at /console")
        raise CheckSkipped("this server serves no console")


def signed_in(c: ContractClient, key: str | None = None) -> ConsoleBrowser:
    browser = ConsoleBrowser(c)
    response = browser.sign_in(key or c.admin_key)
    expect(
        response.status_code == 303 and browser.cookie is not None,
        f"sign-in with a usable key: {response.status_code} {response.headers}",
    )
    return browser


def redirected_to_sign_in(response: httpx.Response) -> bool:
    return response.status_code == 303 and response.headers.get("location", "").endswith(
        "/console/sign-in"
    )
