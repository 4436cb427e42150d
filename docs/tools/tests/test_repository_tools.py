"""Unit tests of the repository tools behind `make check-standalone`, `make docs`,
the frozen spec releases and `make lint`'s Go operation check (run by `make docs`)."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[3]
for tool_dir in ("docs/tools", "spec/releases", "lint"):
    sys.path.insert(0, str(ROOT / tool_dir))

import check_go_operations  # noqa: E402
import check_standalone  # noqa: E402
import releases  # noqa: E402
import site_hooks  # noqa: E402


@pytest.mark.parametrize(
    ("text", "cites_outside"),
    [
        ("see INTERFACES" + " §3", True),
        ("the SDK-" + "CONVENTIONS order", True),
        ("conformance/DRIVER-PROTO" + "COL.md", True),
        ("cp ../" + "shared/x .", True),
        ("conformance/driver-protocol.md", False),
        ("docs/sdk-conventions.md#errors and REQ-ERR-010", False),
    ],
)
def test_outside_citation_pattern(text: str, cites_outside: bool) -> None:
    assert bool(re.search(check_standalone.OUTSIDE_NOTES, text)) is cites_outside


def test_repository_stands_alone_and_has_one_licence() -> None:
    assert check_standalone.licence_problems() == []
    assert set(check_standalone.manifest_licences().values()) == {"Apache-2.0"}


def page(site_path: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=site_path))


def test_links_to_site_pages_are_rewritten() -> None:
    out = site_hooks.on_page_markdown(
        "[spec](../spec/README.md) and [rules](../spec/behavior/sse.md#req-sse-001)",
        page("architecture.md"),
        None,
        None,
    )
    assert out == "[spec](spec/index.md) and [rules](spec/behavior/sse.md#req-sse-001)"


def test_repository_files_outside_the_site_become_code_and_broken_links_stay() -> None:
    out = site_hooks.on_page_markdown(
        "[the bundle](../spec/dist/openapi.json), [gone](../no/such/file.md)\n"
        "```\n[not a link](../x)\n```",
        page("architecture.md"),
        None,
        None,
    )
    lines = out.splitlines()
    assert lines[0] == "the bundle (`spec/dist/openapi.json`), [gone](../no/such/file.md)"
    assert lines[2] == "[not a link](../x)"


def test_sdk_readme_links_resolve_from_its_own_directory() -> None:
    out = site_hooks.on_page_markdown(
        "[harness](../conformance/README.md)", page("sdks/python.md"), None, None
    )
    assert out == "[harness](../conformance/index.md)"


def fake_release(tmp_path: Path) -> Path:
    release = tmp_path / "v9.9.9"
    (release / "dist").mkdir(parents=True)
    shutil.copy(ROOT / "spec/requirements.yaml", release / "requirements.yaml")
    (release / "dist/openapi.json").write_text('{"paths": {}}\n')
    sums = "".join(
        f"{releases._digest(release / name)}  {name}\n"
        for name in ("dist/openapi.json", "requirements.yaml")
    )
    (release / releases.SUMS).write_text(sums)
    return release


def test_a_frozen_release_may_not_change(tmp_path: Path) -> None:
    release = fake_release(tmp_path)
    assert releases.frozen_problems(release) == []
    (release / "dist/openapi.json").write_text('{"paths": {"/v1/x": {}}}\n')
    (release / "extra.md").write_text("new\n")
    found = releases.frozen_problems(release)
    assert any("changed after the release" in p for p in found)
    assert any("extra.md: not in" in p for p in found)


def test_the_draft_may_not_drop_what_a_release_has(tmp_path: Path) -> None:
    release = fake_release(tmp_path)
    draft = json.loads((ROOT / "spec/dist/openapi.json").read_text())
    draft["paths"]["/v1/gone"] = {"get": {"operationId": "goneOperation"}}
    schemas = draft["components"]["schemas"]
    schemas["Gone"] = {"type": "object"}
    first = next(name for name, s in schemas.items() if s.get("properties"))
    schemas[first]["properties"]["gone_member"] = {"type": "string"}
    (release / "dist/openapi.json").write_text(json.dumps(draft))
    found = releases.compatibility_problems(release)
    assert any("goneOperation" in p for p in found)
    assert any("schema Gone is gone" in p for p in found)
    assert any(f"schema {first}: member gone_member is gone" in p for p in found)


def test_the_newest_release_is_intact_and_the_draft_compatible() -> None:
    newest = releases._release_dirs()[-1]
    assert releases.frozen_problems(newest) == []
    assert releases.compatibility_problems(newest) == []


def test_go_meta_comment_pattern() -> None:
    match = check_go_operations.META.match("//meta:operation getIntent GET /v1/intents/{intent_id}")
    assert match is not None
    assert match.groups() == ("getIntent", "GET", "/v1/intents/{intent_id}")
    assert check_go_operations.spec_routes()["getIntent"] == ("GET", "/v1/intents/{intent_id}")
    assert check_go_operations.go_names()["getIntent"] == "GetIntent"
