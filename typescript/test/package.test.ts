/**
 * The package as users get it: `npm pack` → install into an empty project →
 * `tsc --strict` on the snippet and the examples → run them against a
 * local reference server, from both `import` and `require`.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { AxmeClient, ConflictError } from "../src/index.js";
import { REPO_ROOT, startServer, type RunningServer } from "./server.js";

const SDK_DIR = join(REPO_ROOT, "typescript");
const EXAMPLES_DIR = join(REPO_ROOT, "examples", "typescript");
const TSC = join(SDK_DIR, "node_modules", "typescript", "bin", "tsc");
const SNIPPET_AGENT = "agent://myorg/production/infra-validator";

let project: string;
let server: RunningServer;

/** Only what a user would set: the key and the URL (no AXME_* from our environment). */
function userEnv(apiKey: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AXME_")));
  return { ...env, AXME_API_KEY: apiKey, AXME_BASE_URL: server.baseUrl };
}

/** Runs `node file` in the project; resolves with its output, rejects on non-zero exit or after 60 s. */
function runNode(file: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    createInterface({ input: child.stdout }).on("line", (line) => {
      out += line + "\n";
      onLine?.(line);
    });
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${file} exited with ${code}\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

before(async () => {
  project = mkdtempSync(join(tmpdir(), "axme-ts-consumer-"));
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", project], { cwd: SDK_DIR, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", `./${tarball}`], { cwd: project });
  copyFileSync(join(SDK_DIR, "test", "fixtures", "issue-snippet.ts"), join(project, "snippet.ts"));
  copyFileSync(join(SDK_DIR, "test", "fixtures", "require-check.cjs"), join(project, "require-check.cjs"));
  for (const file of readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".ts"))) copyFileSync(join(EXAMPLES_DIR, file), join(project, file));
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, types: ["node"], typeRoots: [join(SDK_DIR, "node_modules", "@types")], rootDir: ".", outDir: "out", skipLibCheck: false },
      include: ["*.ts"],
    }),
  );
  server = await startServer(["--org", "myorg", "--workspace", "production"]);
});

after(async () => {
  await server?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the packed package in an empty project", () => {
  it("ships only the builds, README and CHANGELOG", () => {
    const files = execFileSync("tar", ["-tzf", readdirSync(project).find((f) => f.endsWith(".tgz"))!], { cwd: project, encoding: "utf8" });
    assert.match(files, /package\/dist\/esm\/index\.js/);
    assert.match(files, /package\/dist\/cjs\/index\.js/);
    assert.match(files, /package\/dist\/cjs\/index\.d\.ts/);
    assert.doesNotMatch(files, /conformance-driver|\/test\/|\/src\//);
  });

  it("tsc --strict compiles the issue's snippet and the examples against the installed types", () => {
    try {
      execFileSync(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: project, encoding: "utf8" });
    } catch (err) {
      assert.fail(`tsc --strict failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
    }
  });

  it("works from require() (CommonJS build)", async () => {
    const out = await runNode("require-check.cjs", [], userEnv(server.adminKey));
    assert.match(out, /^require ok: \d+\.\d+\.\d+ axp\/1 intent_not_found$/m);
  });

  it("examples: the initiator applies the approval scenario, the agent validates, the human step is approved", async () => {
    let agentRun: Promise<string> | undefined;
    const initiator = await runNode("out/approval-initiator.js", [join(REPO_ROOT, "examples", "approval", "scenario.json"), "--approve"], userEnv(server.adminKey), (line) => {
      const found = /^agent (\S+) key: (axme_agent_\S+)$/.exec(line);
      if (found) agentRun = runNode("out/approval-agent.js", [found[1]!], userEnv(found[2]!));
    });
    assert.ok(agentRun, "the initiator printed the provisioned agent's key");
    const agentOut = await agentRun;
    assert.match(agentOut, /\[agent\] validating database_migration on prod-postgres-main/);
    assert.match(agentOut, /\[agent\] done: handled 1 delivery/);
    assert.match(initiator, /intent\.human_task_assigned -> WAITING \(WAITING_FOR_HUMAN\)/);
    assert.match(initiator, /^Done: COMPLETED$/m);
  });

  it("the issue's snippet runs unchanged (only AXME_API_KEY and AXME_BASE_URL set) and prints the terminal status", async () => {
    // The agent the snippet addresses (the examples' scenario may have registered it already) must be serving.
    const admin = new AxmeClient({ apiKey: server.adminKey, baseUrl: server.baseUrl });
    const apiKey = await admin.registerAgent({ address: SNIPPET_AGENT }).then(
      (registered) => registered.api_key,
      async (err: unknown) => {
        if (!(err instanceof ConflictError)) throw err;
        return (await admin.createAgentKey(SNIPPET_AGENT, { name: "snippet-test" })).api_key;
      },
    );
    const agent = new AxmeClient({ apiKey, baseUrl: server.baseUrl });
    const serving = agent.serve(SNIPPET_AGENT, (intent) => ({ validated: intent.payload }), { maxDeliveries: 1 });
    const out = await runNode("out/snippet.js", [], userEnv(server.adminKey));
    assert.equal(out, "Done: COMPLETED\n");
    assert.equal(await serving, 1);
  });
});
