"""Which repository files the documentation site is made of, and where each appears.

Shared by gen_pages.py (copies the files in while mkdocs builds) and site_hooks.py
(rewrites repository-relative links to site pages). Files under docs/ are pages as
they are; the others are copied to the site path given here.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SDKS = ("python", "typescript", "go", "java", "dotnet")
#: examples/<workflow>/README.md, in the order the site lists them.
EXAMPLE_WORKFLOWS = ("approval", "order-fulfilment", "crash-safe-pipeline", "llm-agent")

#: Pages generated from spec/ (site path → the repository path links are resolved from).
GENERATED = {
    "spec/requirements.md": "spec/requirements.yaml",
    "spec/openapi.md": "spec/openapi.yaml",
    "spec/schemas.md": "spec/schemas/README.md",
}


def copied() -> dict[str, str]:
    """Repository path → site path of every file copied into the site."""
    pages = {
        "README.md": "overview.md",
        "CONTRIBUTING.md": "contributing.md",
        "spec/README.md": "spec/index.md",
        "spec/primer.md": "spec/primer.md",
        "server/README.md": "server.md",
        "conformance/README.md": "conformance/index.md",
        "conformance/driver-protocol.md": "conformance/driver-protocol.md",
        "conformance/INCONSISTENCIES.md": "conformance/inconsistencies.md",
        "examples/README.md": "examples.md",
    }
    for workflow in EXAMPLE_WORKFLOWS:
        pages[f"examples/{workflow}/README.md"] = f"examples/{workflow}.md"
    for behavior in sorted((ROOT / "spec/behavior").glob("*.md")):
        name = "index.md" if behavior.name == "README.md" else behavior.name
        pages[f"spec/behavior/{behavior.name}"] = f"spec/behavior/{name}"
    for sdk in SDKS:
        pages[f"{sdk}/README.md"] = f"sdks/{sdk}.md"
        pages[f"{sdk}/CHANGELOG.md"] = f"sdks/{sdk}-changelog.md"
    return {repo: site for repo, site in pages.items() if (ROOT / repo).is_file()}


def site_to_repo() -> dict[str, str]:
    """Site path → the repository path it comes from (docs/ pages included)."""
    mapping = {site: repo for repo, site in copied().items()}
    mapping.update(GENERATED)
    for page in DOCS.rglob("*.md"):
        rel = page.relative_to(DOCS).as_posix()
        if not rel.startswith("tools/"):
            mapping[rel] = f"docs/{rel}"
    return mapping


def repo_to_site() -> dict[str, str]:
    """Repository path → site path, for every page that has one."""
    return {repo: site for site, repo in site_to_repo().items() if site not in GENERATED}
