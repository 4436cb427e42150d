"""mkdocs hook: pages keep the repository-relative links that work when the files
are read in the repository; this rewrites each one for the site.

- a link to a file that is a page of the site → that page;
- a link to a repository file or directory that is not in the site → its path as
  code (a reader of the site can still find it; nothing dangles);
- a link to a path that does not exist in the repository stays as written, so
  `mkdocs build --strict` fails on it.
"""

from __future__ import annotations

import posixpath
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from site_sources import ROOT, repo_to_site, site_to_repo

LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^)\s]+)((?:\s+\"[^\"]*\")?)\)")
FENCE = re.compile(r"^\s*(```|~~~)")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)


def _rewrite(match: re.Match[str], page_repo: str, page_site: str, pages: dict[str, str]) -> str:
    bang, text, target, title = match.groups()
    if EXTERNAL.match(target):
        return match.group(0)
    path, _, anchor = target.partition("#")
    repo_target = posixpath.normpath(posixpath.join(posixpath.dirname(page_repo), path))
    if (ROOT / repo_target).is_dir() and f"{repo_target}/README.md" in pages:
        repo_target = f"{repo_target}/README.md"
    if repo_target in pages:
        site_target = posixpath.relpath(pages[repo_target], posixpath.dirname(page_site) or ".")
        return f"{bang}[{text}]({site_target}{'#' + anchor if anchor else ''}{title})"
    if not repo_target.startswith("..") and (ROOT / repo_target).exists():
        shown = f"`{repo_target}`"
        return (
            shown
            if text.strip("`") in (repo_target, path, posixpath.basename(repo_target))
            else f"{text} ({shown})"
        )
    return match.group(0)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    page_site = page.file.src_uri
    page_repo = site_to_repo().get(page_site)
    if page_repo is None:
        return markdown
    pages = repo_to_site()
    out, in_fence = [], False
    for line in markdown.split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            line = LINK.sub(lambda m: _rewrite(m, page_repo, page_site, pages), line)
        out.append(line)
    return "\n".join(out)
