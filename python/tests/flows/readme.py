"""python/README.md as data: its section headings and its code blocks, so tests can run
the blocks exactly as users copy them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SDK_CONVENTIONS = Path(__file__).resolve().parents[3] / "docs" / "sdk-conventions.md"


@dataclass(frozen=True)
class Block:
    heading: str  # the nearest heading above the block (any level)
    index: int  # its position among that heading's blocks
    lang: str
    text: str

    @property
    def key(self) -> tuple[str, int]:
        return self.heading, self.index


def parse(markdown: str) -> tuple[list[str], list[Block]]:
    """(the `## ` section titles in order, every fenced code block)."""
    sections: list[str] = []
    blocks: list[Block] = []
    heading = ""
    per_heading: dict[str, int] = {}
    fence: tuple[str, list[str]] | None = None
    for line in markdown.splitlines():
        if fence is not None:
            if line.startswith("```"):
                index = per_heading.get(heading, 0)
                per_heading[heading] = index + 1
                blocks.append(Block(heading, index, fence[0], "\n".join(fence[1]) + "\n"))
                fence = None
            else:
                fence[1].append(line)
        elif line.startswith("```"):
            fence = (line[3:].strip(), [])
        elif match := re.match(r"(#{2,6}) (.+)", line):
            heading = match.group(2).strip()
            if len(match.group(1)) == 2:
                sections.append(heading)
    if fence is not None:
        raise ValueError("README.md has an unclosed code fence")
    return sections, blocks


def readme_blocks() -> dict[tuple[str, int], Block]:
    return {b.key: b for b in parse(README.read_text(encoding="utf-8"))[1]}


def conventional_sections() -> list[str]:
    """The order docs/sdk-conventions.md prescribes ("Errors table" is the section "Errors")."""
    text = " ".join(SDK_CONVENTIONS.read_text(encoding="utf-8").split())
    match = re.search(r"same section order \(([^)]*)\)", text)
    if match is None:
        raise ValueError(f"{SDK_CONVENTIONS} no longer states the README section order")
    return [name.strip().removesuffix(" table") for name in match.group(1).split(",")]
