"""How each language's examples are built (once) and started by the end-to-end test.

The SDKs are used from their own build output (`make -C <sdk> build`), never rebuilt here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent
ROOT = EXAMPLES.parent
BUILD = EXAMPLES / "build"
WORKFLOWS = ("approval", "order-fulfilment", "crash-safe-pipeline", "llm-agent")
LANGUAGES = ("python", "typescript", "go", "java", "dotnet")
# Java class / C# program name of each workflow (the LLM agent is Python and TypeScript only).
PROGRAM = {"approval": "Approval", "order-fulfilment": "Order", "crash-safe-pipeline": "Pipeline"}
NEWTONSOFT = "/usr/lib/cli/Newtonsoft.Json-5.0"


def has(workflow: str, language: str) -> bool:
    return (EXAMPLES / workflow / language).is_dir()


def run(argv: list[str], cwd: Path = EXAMPLES) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build failed: {' '.join(argv)}\n{done.stdout}{done.stderr}")


def build(language: str) -> None:
    """Compile every workflow of one language into examples/build/<language>."""
    out = BUILD / language
    if language == "typescript":
        # The examples import "@axme/axme": a copy of the SDK's build output (dist/esm).
        package = out / "node_modules" / "@axme" / "axme"
        if package.is_symlink():
            package.unlink()
        shutil.rmtree(package, ignore_errors=True)
        shutil.copytree(ROOT / "typescript/dist/esm", package / "dist/esm")
        shutil.copy2(ROOT / "typescript/package.json", package / "package.json")
        (out / "package.json").write_text('{"type": "module"}\n')
        run(
            [
                "node",
                str(ROOT / "typescript/node_modules/typescript/bin/tsc"),
                "-p",
                str(EXAMPLES / "tests/tsconfig.json"),
            ]
        )
    elif language == "go":
        for workflow in PROGRAM:
            for role in ("agent", "initiator"):
                run(
                    [
                        "go",
                        "build",
                        "-o",
                        str(out / f"{workflow}-{role}"),
                        f"./{workflow}/go/{role}",
                    ]
                )
    elif language == "java":
        sources = [str(p) for w in PROGRAM for p in (EXAMPLES / w / "java").glob("*.java")]
        run(["javac", "-Xlint:all", "-Werror", "-d", str(out), "-cp", java_classpath(), *sources])
    elif language == "dotnet":
        out.mkdir(parents=True, exist_ok=True)
        sdk = ROOT / "dotnet/build/Axme.Sdk.dll"
        shutil.copy2(sdk, out / sdk.name)
        for workflow, name in PROGRAM.items():
            sources = sorted(str(p) for p in (EXAMPLES / workflow / "dotnet").glob("*.cs"))
            run(
                [
                    "mcs",
                    "-sdk:4.7.2-api",
                    "-langversion:7.2",
                    "-warnaserror+",
                    "-nologo",
                    "-target:exe",
                    f"-out:{out / name}.exe",
                    "-r:System.Net.Http",
                    f"-r:{NEWTONSOFT}/Newtonsoft.Json.dll",
                    f"-r:{sdk}",
                    *sources,
                ]
            )


def java_classpath() -> str:
    runtime = (ROOT / "java/target/runtime-classpath.txt").read_text().strip()
    return os.pathsep.join([str(ROOT / "java/target/classes"), runtime])


def command(language: str, workflow: str, role: str, *args: str) -> tuple[list[str], Path]:
    """argv and working directory of one example program (`role` is agent or initiator)."""
    cwd = EXAMPLES / workflow / language
    if language == "python":
        return [sys.executable, f"{role}.py", *args], cwd
    if language == "typescript":
        return [
            "node",
            str(BUILD / "typescript" / workflow / "typescript" / f"{role}.js"),
            *args,
        ], cwd
    if language == "go":
        return [str(BUILD / "go" / f"{workflow}-{role}"), *args], cwd
    name = PROGRAM[workflow]
    if language == "java":
        classpath = os.pathsep.join([str(BUILD / "java"), java_classpath()])
        return ["java", "-cp", classpath, f"{name}{role.capitalize()}", *args], cwd
    return ["mono", "--debug", str(BUILD / "dotnet" / f"{name}.exe"), role, *args], cwd


def env(language: str) -> dict[str, str]:
    if language == "dotnet":
        return {"MONO_PATH": NEWTONSOFT}
    return {}
