"""mypy --strict with a ratchet: the type errors a package still has are counted per
file in lint/mypy-baseline.json, and the run fails when any file has more errors
than its count (or a file not listed has any). Fixing errors never fails the run;
it prints the lower counts so the baseline can be tightened with --update. The
goal is an empty baseline; new code is strict from its first line.

    python lint/mypy_ratchet.py NAME [--update] -- <dir> <mypy arguments…>
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

BASELINE = Path(__file__).resolve().parent / "mypy-baseline.json"
ERROR = re.compile(r"^(?P<file>[^:\s]+\.py):\d+: error: ")


def run_mypy(directory: str, args: list[str]) -> tuple[Counter[str], str]:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"mypy failed to run ({done.returncode}):\n{done.stdout}{done.stderr}")
    counts = Counter(m.group("file") for m in map(ERROR.match, done.stdout.splitlines()) if m)
    return counts, done.stdout


def main(argv: list[str]) -> int:
    if "--" not in argv or not argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    name, update = argv[0], "--update" in argv[:split]
    directory, mypy_args = argv[split + 1], argv[split + 2 :]
    baseline: dict[str, dict[str, int]] = (
        json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.is_file() else {}
    )
    counts, output = run_mypy(directory, mypy_args)
    if update:
        baseline[name] = dict(sorted(counts.items()))
        if not baseline[name]:
            del baseline[name]
        BASELINE.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"mypy {name}: baseline set to {sum(counts.values())} error(s)")
        return 0
    allowed = baseline.get(name, {})
    worse = {f: n for f, n in counts.items() if n > allowed.get(f, 0)}
    better = {f: (allowed[f], counts.get(f, 0)) for f in allowed if counts.get(f, 0) < allowed[f]}
    if worse:
        for line in output.splitlines():
            match = ERROR.match(line)
            if match and match.group("file") in worse:
                print(line)
        for file, n in sorted(worse.items()):
            print(f"{file}: {n} type error(s), baseline allows {allowed.get(file, 0)}")
    for file, (was, now) in sorted(better.items()):
        print(f"{file}: {now} type error(s), baseline {was}: tighten with --update")
    total, limit = sum(counts.values()), sum(allowed.values())
    verdict = "FAIL" if worse else "OK"
    print(f"mypy --strict {name}: {verdict} — {total} error(s), baseline {limit}")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
