"""Contract check: a push in flight when the server crashes is sent again after the restart,
with the same delivery id and body (REQ-PUSH-008). It crashes and restarts a server, so it
runs only under --reference, on a reference server of its own with a data directory."""

from __future__ import annotations

import queue
import tempfile
import threading
from pathlib import Path
from typing import Any

from axme_conformance.contract.client import CheckFailed, CheckSkipped, ContractClient, expect
from axme_conformance.contract.registry import check

WAIT_S = 5.0


class HoldingReceiver:
    """Records each POST; holds it unanswered while ``holding`` is set, else answers 200."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()
        self.holding = threading.Event()
        self.released = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.received.put(({k.lower(): v for k, v in self.headers.items()}, body))
                if outer.holding.is_set():
                    outer.released.wait(WAIT_S * 2)
                    self.close_connection = True
                    return
                try:
                    self.send_response(200)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def next(self, what: str) -> tuple[dict[str, str], bytes]:
        try:
            return self.received.get(timeout=WAIT_S)
        except queue.Empty:
            raise CheckFailed(f"no push within {WAIT_S:g}s {what}") from None

    def close(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@check("push/in-flight-push-sent-again-after-a-crash", requirements=["REQ-PUSH-008"])
def push_survives_crash(c: ContractClient) -> None:
    if c.data_dir is None:
        raise CheckSkipped("crashes and restarts a reference server (--reference)")
    from axme_conformance.server_process import ReferenceServer

    receiver = HoldingReceiver()
    receiver.holding.set()
    with tempfile.TemporaryDirectory(prefix="axme-contract-restart-") as data:
        first = ReferenceServer(testing=False, data_dir=Path(data))
        second = ReferenceServer(testing=False, data_dir=Path(data))
        try:
            info = first.start()
            expect(bool(info.admin_api_key), "the reference server printed no admin key")
            other = ContractClient(info.base_url, str(info.admin_api_key))
            try:
                address = other.ok(
                    other.request(
                        "POST",
                        "/v1/agents",
                        body={
                            "address": "pushed",
                            "delivery_mode": "http",
                            "callback_url": receiver.url,
                        },
                    )
                )["agent"]["address"]
                other.new_intent(address)
            finally:
                other.close()
            headers, body = receiver.next("before the crash")
            first.kill()  # the push is unanswered: not confirmed by a 2xx
            receiver.holding.clear()
            receiver.released.set()
            second.start()
            again_headers, again = receiver.next("after the restart (the lease is still current)")
            expect(
                again_headers.get("x-axme-delivery-id") == headers.get("x-axme-delivery-id"),
                f"the push after the restart has another delivery id: "
                f"{again_headers.get('x-axme-delivery-id')} vs {headers.get('x-axme-delivery-id')}",
            )
            expect(
                again == body, f"the push after the restart has another body: {again!r} vs {body!r}"
            )
        finally:
            first.stop()
            second.stop()
            receiver.close()
