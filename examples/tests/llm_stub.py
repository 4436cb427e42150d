"""A tiny local OpenAI-compatible endpoint (POST /v1/chat/completions) standing in for a paid
API so the LLM example runs offline. The first request of every API key gets a 503, like a
provider under load, so the example shows the platform's redelivery doing the retry."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TRIAGE = {
    "category": "billing",
    "priority": "high",
    "reply": "Sorry about the double charge - we have refunded the duplicate payment.",
}


class ChatStub:
    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(
                    self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}"
                )
                key = self.headers.get("Authorization", "")
                with stub._lock:
                    count = stub.requests[key] = stub.requests.get(key, 0) + 1
                if self.path != "/v1/chat/completions" or not body.get("messages"):
                    return self._send(404, {"error": {"message": "unknown route or no messages"}})
                if count == 1:
                    return self._send(
                        503, {"error": {"message": "the model is overloaded, try again"}}
                    )
                return self._send(
                    200,
                    {
                        "id": f"chatcmpl-{count}",
                        "object": "chat.completion",
                        "model": body.get("model", "stub"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": json.dumps(TRIAGE)},
                            }
                        ],
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
