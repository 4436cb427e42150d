"""HTTPS served directly (--tls-cert/--tls-key) with a self-signed certificate made here: JSON
calls and an event stream work over TLS, plain HTTP to the TLS port gets nothing, and a missing
or unreadable certificate stops the start with a clear message."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from helpers import start_server


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the openssl command is needed to make a test certificate")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def test_https_serves_json_and_streams(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    proc = start_server(tmp_path / "data", "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert proc.base_url.startswith("https://127.0.0.1:")
        trust = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(
            base_url=proc.base_url, verify=trust, timeout=10, headers={"x-api-key": proc.admin_key}
        ) as http:
            assert http.get("/health").json()["ok"] is True
            agent = http.post("/v1/agents", json={"address": "tls-agent"}).json()["agent"]["address"]
            intent = http.post(
                "/v1/intents",
                json={"intent_type": "intent.t.tls.v1", "to_agent": agent, "payload": {"secure": True}},
            ).json()["intent_id"]
            with http.stream(
                "GET", f"/v1/intents/{intent}/events/stream", params={"wait_seconds": 1}
            ) as resp:
                assert resp.status_code == 200
                body = resp.read()
            assert b"event: intent.submitted" in body and b"stream.timeout" in body
        with pytest.raises(httpx.ConnectError):  # an unknown CA is refused: really TLS, really this cert
            httpx.get(proc.base_url + "/health", timeout=5)
        u = urlparse(proc.base_url)
        with socket.create_connection((u.hostname, u.port), timeout=5) as plain:  # plain HTTP: no HTTP answer
            plain.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                data = plain.recv(4096)
            except (ConnectionResetError, TimeoutError):
                data = b""
            assert not data.startswith(b"HTTP/1.1 200")
        ctx = ssl.create_default_context(cafile=str(cert))
        with (
            socket.create_connection((u.hostname, u.port), timeout=5) as raw,
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        assert proc.stop() == 0


def test_a_bad_certificate_stops_the_start(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "axme_server",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "d"),
            "--tls-cert",
            str(missing),
            "--tls-key",
            str(missing),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 2 and "--tls-cert" in run.stderr
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "axme_server",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "d"),
            "--tls-cert",
            str(missing),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 2 and "go together" in run.stderr
