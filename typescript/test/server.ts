/**
 * Starts the real reference server (docs/architecture.md#the-reference-server-process) for integration tests:
 * `python -m axme_server --host 127.0.0.1 --port 0 --data-dir TMP [--testing]`,
 * waiting (with a deadline) for its `AXME_SERVER_READY {json}` line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** build/test/server.js → the repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const PYTHON = process.env["AXME_PYTHON"] ?? join(REPO_ROOT, ".venv", "bin", "python");

export interface RunningServer {
  baseUrl: string;
  adminKey: string;
  stop(): Promise<void>;
}

export async function startServer(extraArgs: string[] = ["--testing"], readyTimeoutMs = 30_000): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "axme-ts-server-"));
  const child: ChildProcess = spawn(
    PYTHON,
    ["-m", "axme_server", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const ready = await new Promise<{ base_url: string; admin_api_key: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready after ${readyTimeoutMs} ms:\n${stderr}`)), readyTimeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (!line.startsWith("AXME_SERVER_READY ")) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice("AXME_SERVER_READY ".length)) as { base_url: string; admin_api_key: string });
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  return {
    baseUrl: ready.base_url,
    adminKey: ready.admin_api_key,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs to a test-only endpoint (server started with --testing). */
export async function testing(server: RunningServer, path: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path} → ${response.status}: ${JSON.stringify(json)}`);
  return json;
}
