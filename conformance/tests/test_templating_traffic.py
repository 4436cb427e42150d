from datetime import UTC, datetime

import pytest

from axme_conformance.templating import TemplateError, Variables
from axme_conformance.traffic import check_traffic, transcript_view


def test_whole_reference_keeps_type_and_inline_formats():
    v = Variables(clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    v["c"] = {"result": {"intent_id": "abc", "n": 3}}
    assert v.render("${c.result.n}") == 3
    assert v.render("/v1/intents/${c.result.intent_id}") == "/v1/intents/abc"
    assert v.render({"d": "${now+60}"}) == {"d": "2026-01-01T00:01:00.000Z"}
    with pytest.raises(TemplateError):
        v.render("${missing}")


RECORDS = [
    {
        "seq": 1,
        "at": "2026-01-01T00:00:00.000Z",
        "method": "POST",
        "path": "/v1/intents",
        "query": "",
        "op": "createIntent",
        "status": 503,
        "headers": {"idempotency-key": "k1", "user-agent": "axme-python/0.1.0"},
    },
    {
        "seq": 2,
        "at": "2026-01-01T00:00:00.300Z",
        "method": "GET",
        "path": "/v1/agents",
        "query": "",
        "op": "listAgents",
        "status": 200,
        "headers": {"user-agent": "axme-conformance/0.1.0"},
    },
    {
        "seq": 3,
        "at": "2026-01-01T00:00:01.100Z",
        "method": "POST",
        "path": "/v1/intents",
        "query": "a=1",
        "op": "createIntent",
        "status": 200,
        "headers": {"idempotency-key": "k1", "user-agent": "axme-python/0.1.0"},
    },
]


def test_traffic_assertions_exclude_harness_requests():
    ok = {
        "filter": {"op": "createIntent"},
        "count": 2,
        "same": ["headers.idempotency-key"],
        "last": {"status": 200, "params": {"a": "1"}},
        "min_gap_ms": 1000,
    }
    assert check_traffic(ok, RECORDS) == []
    assert check_traffic({"filter": {"op": "listAgents"}, "count": 0}, RECORDS) == []
    bad = check_traffic({"filter": {"op": "createIntent"}, "min_gap_ms": 1500}, RECORDS)
    assert bad and "gap" in bad[0]
    distinct = {"filter": {"op": "createIntent"}, "distinct": ["headers.idempotency-key"]}
    assert check_traffic(distinct, RECORDS)


def test_transcript_view_collapses_repeats_and_hides_values():
    repeated = [RECORDS[2], {**RECORDS[2], "seq": 4}]
    view = transcript_view(repeated)
    assert len(view) == 1
    assert view[0]["headers"]["idempotency-key"] == "<present>"


def test_transcript_view_leaves_out_streams():
    stream = {**RECORDS[0], "op": "streamIntentEvents", "method": "GET", "body": None}
    assert transcript_view([stream]) == []


def test_since_zero_equals_no_since():
    with_zero = {**RECORDS[1], "headers": {"user-agent": "axme-go/1.0"}, "query": "since=0"}
    without = {**with_zero, "query": ""}
    assert transcript_view([with_zero]) == transcript_view([without])
