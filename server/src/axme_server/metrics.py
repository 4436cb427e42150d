"""/metrics in Prometheus text format (admin keys only, REQ-LIMIT-014): the caller's workspace's
intents by status, from counters kept at write time (no scan), and the server's own operational
counts (requests, streams, commits, caches), which carry no workspace data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from axme_server.notify.channels import notification_lines
from axme_server.outbound.dispatcher import outbound_lines

if TYPE_CHECKING:
    from axme_server.service import Engine


class Metrics:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.requests: dict[tuple[str, int], int] = {}
        self.unhandled = 0  # exceptions turned into 500 internal_error (tests require 0)

    def observe(self, op: str, status: int) -> None:
        k = (op, status)
        self.requests[k] = self.requests.get(k, 0) + 1

    def render(self, workspace_id: str) -> str:
        e = self.engine
        active_cached, finished_cached = e.core.cached_counts()
        lines = [
            "# HELP axme_http_requests_total HTTP requests by operation and status.",
            "# TYPE axme_http_requests_total counter",
        ]
        for (op, status), n in sorted(self.requests.items()):
            lines.append(f'axme_http_requests_total{{op="{op}",status="{status}"}} {n}')
        lines += ["# HELP axme_intents Intents by status.", "# TYPE axme_intents gauge"]
        for state, n in sorted(e.store.count_by_status(workspace_id).items()):
            lines.append(f'axme_intents{{status="{state}"}} {n}')
        lines += [
            "# HELP axme_cache_entries Entries in caches keyed by request input (bounded, REQ-LIMIT-012).",
            "# TYPE axme_cache_entries gauge",
            f'axme_cache_entries{{cache="keys"}} {e.keys.cache_size()}',
            f'axme_cache_entries{{cache="agents"}} {len(e.core.agent_cache)}',
        ]
        lines += [
            "# HELP axme_open_streams Open SSE streams.",
            "# TYPE axme_open_streams gauge",
            f"axme_open_streams {e.hub.open_streams}",
            "# HELP axme_unhandled_errors_total Unexpected exceptions answered as 500.",
            "# TYPE axme_unhandled_errors_total counter",
            f"axme_unhandled_errors_total {self.unhandled}",
            "# HELP axme_store_commits_total Store transactions committed (group commits).",
            "# TYPE axme_store_commits_total counter",
            f"axme_store_commits_total {getattr(e.store, 'commits', 0)}",
            "# HELP axme_store_writes_total Write requests committed.",
            "# TYPE axme_store_writes_total counter",
            f"axme_store_writes_total {getattr(e.store, 'writes', 0)}",
            "# HELP axme_events_total Intent events committed.",
            "# TYPE axme_events_total counter",
            f"axme_events_total {e.core.metrics['events']}",
            "# HELP axme_timers_pending Timers in the in-memory index.",
            "# TYPE axme_timers_pending gauge",
            f"axme_timers_pending {len(e.timers)}",
            "# HELP axme_timers_live Live timers (one per intent and timer kind); the rest of the heap is stale.",
            "# TYPE axme_timers_live gauge",
            f"axme_timers_live {e.timers.live}",
            "# HELP axme_active_intents_cached Active intents held in memory (bounded by --active-cache-size).",
            "# TYPE axme_active_intents_cached gauge",
            f"axme_active_intents_cached {active_cached}",
            "# HELP axme_terminal_intents_cached Finished intents held in memory (bounded by --terminal-cache-size).",
            "# TYPE axme_terminal_intents_cached gauge",
            f"axme_terminal_intents_cached {finished_cached}",
        ]
        lines += outbound_lines(e.outbound)
        lines += notification_lines(e.outbound)
        return "\n".join(lines) + "\n"
