"""The root README's Quickstart, every block as written, against a real server on a free port:
the agent serves, the Python, TypeScript and CLI senders each wait while Alice (a human key)
approves from the command line.

What differs from a user's terminal, and only this: the server line gets `--port 0` instead
of running in the background on 8787 (the `127.0.0.1:8787` the next block exports becomes the
real address), the shell runs in a scratch directory, and the TypeScript project is given the
repository's `typescript` compiler and `@types/node` instead of `npm install --save-dev`
(no registry in tests). `make install` is covered by the venv these tests run in.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from axme import AxmeClient, AxmeClientConfig

from .processes import start_script, stop
from .readme import Block, parse

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent
TS_DIR = REPO / "typescript"
AGENT = "agent://myorg/production/infra-validator"
#: The Quickstart's blocks, in order: (language, what it is).
EXPECTED = [
    ("bash", "install and start"),
    ("bash", "register the agent and alice"),
    ("python", "the agent"),
    ("python", "send and wait"),
    ("ts", "send and wait"),
    ("bash", "send and wait"),
    ("bash", "alice approves"),
]


def quickstart() -> list[Block]:
    blocks = [
        b
        for b in parse((REPO / "README.md").read_text(encoding="utf-8"))[1]
        if b.heading == "Quickstart"
    ]
    assert [b.lang for b in blocks] == [lang for lang, _ in EXPECTED]
    return blocks


@dataclass
class Session:
    work: Path
    env: dict[str, str]  # what the user's shell holds after the register block
    server: subprocess.Popen[str]
    base_url: str

    def bash(
        self, script: str, extra: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=self.work,
            env={**self.env, **(extra or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def alice_approves(self, approve_block: Block) -> None:
        """Once the task is in Alice's inbox, the README's approval block, as written."""
        alice = AxmeClient(AxmeClientConfig(api_key=self.env["ALICE_KEY"], base_url=self.base_url))
        deadline = time.monotonic() + 30
        while not alice.list_my_tasks().tasks:
            assert time.monotonic() < deadline, "no task reached alice's inbox"
            time.sleep(0.1)
        done = self.bash(approve_block.text)
        assert done.returncode == 0, done.stderr
        assert "Approve the migration" in done.stdout and "COMPLETED" in done.stdout


def user_env(config_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AXME_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["AXME_CONFIG_DIR"] = str(config_dir)
    return env


def start_block_server(
    block: Block, work: Path, env: dict[str, str]
) -> tuple[subprocess.Popen[str], str]:
    lines = [line.split("#")[0].strip() for line in block.text.splitlines()]
    assert lines[:3] == ["make install", "source .venv/bin/activate", "axme-server --help"]
    helped = subprocess.run(["axme-server", "--help"], env=env, capture_output=True, text=True)
    assert helped.returncode == 0 and "--workspace" in helped.stdout
    assert lines[3].endswith(" &")
    argv = [*shlex.split(lines[3].removesuffix(" &")), "--host", "127.0.0.1", "--port", "0"]
    server = subprocess.Popen(
        argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert server.stdout is not None
    ready = server.stdout.readline()
    assert ready.startswith("AXME_SERVER_READY "), ready
    return server, json.loads(ready.removeprefix("AXME_SERVER_READY "))["base_url"]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    blocks = quickstart()
    work = tmp_path / "clone"
    work.mkdir()
    env = user_env(tmp_path / "cfg")
    server, base_url = start_block_server(blocks[0], work, env)
    try:
        register = blocks[1].text.replace("http://127.0.0.1:8787", base_url)
        shown = subprocess.run(
            [
                "bash",
                "-euo",
                "pipefail",
                "-c",
                register + 'echo "AXME_API_KEY=$AXME_API_KEY"\necho "ALICE_KEY=$ALICE_KEY"\n',
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert shown.returncode == 0, shown.stderr
        exported = dict(re.findall(r"^(AXME_API_KEY|ALICE_KEY)=(\S+)$", shown.stdout, re.M))
        assert exported["ALICE_KEY"].startswith("axme_human_")
        yield Session(work, {**env, **exported, "AXME_BASE_URL": base_url}, server, base_url)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_quickstart_end_to_end(session: Session) -> None:
    blocks = quickstart()
    agent_py = session.work / "agent.py"
    agent_py.write_text(blocks[2].text, encoding="utf-8")
    agent = start_script(session.env, agent_py)
    try:
        # Python
        send_py = session.work / "send.py"
        send_py.write_text(blocks[3].text, encoding="utf-8")
        sender = start_script(session.env, send_py)
        session.alice_approves(blocks[6])
        out, err = sender.communicate(timeout=60)
        assert sender.returncode == 0, err
        assert "COMPLETED {'validated': True, 'target': 'prod-postgres-main'}" in out

        # the command line
        cli = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", blocks[5].text],
            cwd=session.work,
            env=session.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        session.alice_approves(blocks[6])
        out, err = cli.communicate(timeout=60)
        assert cli.returncode == 0, err
        assert "COMPLETED" in out and "prod-postgres-main" in out

        # TypeScript, in a default (CommonJS) npm project
        run_typescript(session, blocks[4], blocks[6])

        # a payload without `target` is reported, not a crash
        admin = AxmeClient(
            AxmeClientConfig(api_key=session.env["AXME_API_KEY"], base_url=session.base_url)
        )
        bare = admin.send_intent(
            {
                "intent_type": "intent.infra.change_approval.v1",
                "to_agent": AGENT,
                "payload": {"change_type": "restart"},
            }
        )
        assert admin.wait_for(bare, timeout=30).result == {
            "validated": True,
            "target": "<no target>",
        }
    finally:
        printed = stop(agent)
    assert printed.count("validating database_migration on prod-postgres-main") == 3, printed
    assert "validating restart on <no target>" in printed


def run_typescript(session: Session, block: Block, approve_block: Block) -> None:
    if shutil.which("npm") is None or not (TS_DIR / "node_modules" / ".bin" / "tsc").exists():
        pytest.fail("the TypeScript quickstart needs node, npm and `make -C typescript setup`")
    built = TS_DIR / "dist" / "cjs" / "index.js"
    newest_source = max(p.stat().st_mtime for p in (TS_DIR / "src").rglob("*.ts"))
    if not built.exists() or built.stat().st_mtime < newest_source:  # `make install` built it
        subprocess.run(["make", "-s", "-C", str(TS_DIR), "build"], check=True, capture_output=True)
    project = session.work / "quickstart-ts"
    project.mkdir()
    npm = {"cwd": project, "env": session.env, "check": True, "capture_output": True, "text": True}
    subprocess.run(["npm", "init", "-y"], **npm)  # type: ignore[call-overload]
    assert json.loads((project / "package.json").read_text()).get("type", "commonjs") == "commonjs"
    tarball = subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(project)],
        cwd=TS_DIR,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    subprocess.run(
        ["npm", "install", "--offline", "--no-audit", "--no-fund", f"./{tarball}"],  # type: ignore[call-overload]
        **npm,
    )
    types = project / "node_modules" / "@types"
    types.mkdir(parents=True, exist_ok=True)
    (types / "node").symlink_to(TS_DIR / "node_modules" / "@types" / "node")
    (project / "quickstart.ts").write_text(block.text, encoding="utf-8")
    tsc = TS_DIR / "node_modules" / ".bin" / "tsc"
    compiled = subprocess.run(
        [
            str(tsc),
            "--module",
            "nodenext",
            "--target",
            "es2022",
            "--types",
            "node",
            "quickstart.ts",
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    sender = subprocess.Popen(
        ["node", "quickstart.js"],
        cwd=project,
        env=session.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    session.alice_approves(approve_block)
    out, err = sender.communicate(timeout=60)
    assert sender.returncode == 0, err
    assert "COMPLETED { validated: true, target: 'prod-postgres-main' }" in out, out
