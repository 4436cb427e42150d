"""mkdocs-gen-files script: puts spec/, the SDK READMEs and the harness docs into the
site, renders the requirements index and the OpenAPI bundle as pages, and writes
the navigation (SUMMARY.md, read by mkdocs-literate-nav). Nothing is written to
the repository; the files exist only inside the build."""

from __future__ import annotations

import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml
from openapi_pages import operations_page, schemas_page
from site_sources import DOCS, EXAMPLE_WORKFLOWS, ROOT, SDKS, copied, site_to_repo

#: docs/ pages in navigation order; any other docs/ page is listed after them.
DESIGN = [
    "architecture.md",
    "protocol-design.md",
    "sdk-conventions.md",
    "conformance-design.md",
]
GUIDES = [
    "conformance-in-your-ci.md",
    "temporal-mapping.md",
    "versioning.md",
    "api-reference.md",
]
SDK_TITLES = {
    "python": "Python",
    "typescript": "TypeScript",
    "go": "Go",
    "java": "Java",
    "dotnet": ".NET (C#)",
}


def write(site_path: str, text: str, edit_path: str | None = None) -> None:
    with mkdocs_gen_files.open(site_path, "w") as page:
        page.write(text)
    if edit_path:
        mkdocs_gen_files.set_edit_path(site_path, edit_path)


def requirements_page() -> str:
    index = yaml.safe_load((ROOT / "spec/requirements.yaml").read_text(encoding="utf-8"))
    by_file: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for req_id, req in index["requirements"].items():
        by_file.setdefault(req["file"], []).append((req_id, req))
    lines = [
        "# Requirements",
        "",
        (
            f"Every numbered requirement of AXP v1 ({len(index['requirements'])} in all), "
            "generated from `spec/requirements.yaml`. Each behaviour page has the full text."
        ),
        "",
    ]
    for file, reqs in by_file.items():
        page = file.removeprefix("behavior/")
        page = "index.md" if page == "README.md" else page
        lines += [
            f"## [{file}](behavior/{page})",
            "",
            "| id | level | title |",
            "|---|---|---|",
        ]
        lines += [f"| {req_id} | {req['level']} | {req['title']} |" for req_id, req in reqs]
        lines.append("")
    return "\n".join(lines)


def title_of(markdown_file: Path) -> str:
    for line in markdown_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip().replace("[", "").replace("]", "")
    return markdown_file.stem


def summary(site: set[str]) -> str:
    lines = ["* [Home](index.md)"]
    if "overview.md" in site:
        lines.append("* [Repository README](overview.md)")
    if "contributing.md" in site:
        lines.append("* [Contributing](contributing.md)")

    def section(name: str, entries: list[tuple[str, str]]) -> None:
        present = [(title, path) for title, path in entries if path in site]
        if present:
            lines.append(f"* {name}")
            lines.extend(f"    * [{title}]({path})" for title, path in present)

    section("Design", [(title_of(DOCS / p), p) for p in DESIGN])
    known = {"index.md", *DESIGN, *GUIDES}
    extra = sorted(
        p.relative_to(DOCS).as_posix()
        for p in DOCS.rglob("*.md")
        if not p.relative_to(DOCS).as_posix().startswith("tools/")
    )
    guides = [(title_of(DOCS / p), p) for p in GUIDES + [p for p in extra if p not in known]]
    section("Guides", guides)
    behavior = sorted(
        p for p in site if p.startswith("spec/behavior/") and p != "spec/behavior/index.md"
    )
    section(
        "Protocol",
        [
            ("Overview", "spec/index.md"),
            ("Requirements", "spec/requirements.md"),
            ("OpenAPI reference", "spec/openapi.md"),
            ("Schemas", "spec/schemas.md"),
            ("Primer", "spec/primer.md"),
        ],
    )
    section(
        "Behaviour",
        [("Index", "spec/behavior/index.md")]
        + [(title_of(ROOT / "spec/behavior" / Path(p).name), p) for p in behavior],
    )
    section("SDKs", [(SDK_TITLES[s], f"sdks/{s}.md") for s in SDKS])
    section("Changelogs", [(SDK_TITLES[s], f"sdks/{s}-changelog.md") for s in SDKS])
    section("Server", [("Reference server", "server.md"), ("Examples", "examples.md")])
    section(
        "Example workflows",
        [
            (title_of(ROOT / "examples" / w / "README.md"), f"examples/{w}.md")
            for w in EXAMPLE_WORKFLOWS
        ],
    )
    section(
        "Conformance",
        [
            ("Harness", "conformance/index.md"),
            ("Driver protocol", "conformance/driver-protocol.md"),
            ("The 45 inconsistencies", "conformance/inconsistencies.md"),
        ],
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    pages = copied()
    for repo_path, site_path in pages.items():
        write(site_path, (ROOT / repo_path).read_text(encoding="utf-8"), repo_path)
    bundle = ROOT / "spec/dist/openapi.json"
    write("spec/requirements.md", requirements_page(), "spec/requirements.yaml")
    write("spec/openapi.md", operations_page(bundle), "spec/openapi.yaml")
    write("spec/schemas.md", schemas_page(bundle), "spec/schemas")
    write("SUMMARY.md", summary(set(site_to_repo())))


main()
