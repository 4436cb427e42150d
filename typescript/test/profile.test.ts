// Client defaults: options, then AXME_API_KEY / AXME_BASE_URL, then the profile `axme login`
// saved, then the public URL (REQ-CLIENT-001, REQ-CLIENT-008); connection errors name the
// URL tried (REQ-CLIENT-009).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AxmeClient, AxmeConnectionError, DEFAULT_BASE_URL, configDir, profilePath } from "../src/index.js";

const LOCAL = "http://127.0.0.1:8100";

function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A config dir holding `content` as config.json; runs fn with only it in the environment. */
function withProfile(content: unknown, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "axme-profile-"));
  const path = join(dir, "config.json");
  if (content !== undefined) writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  withEnv({ AXME_CONFIG_DIR: dir, AXME_API_KEY: undefined, AXME_BASE_URL: undefined }, () => fn(path));
}

describe("the axme login profile", () => {
  it("fills what neither options nor environment give", () => {
    withProfile({ base_url: LOCAL, api_key: "axme_admin_p_s" }, () => {
      assert.equal(new AxmeClient().baseUrl, LOCAL);
    });
  });

  it("loses to the environment and to options", () => {
    withProfile({ base_url: LOCAL, api_key: "axme_admin_p_s" }, () => {
      withEnv({ AXME_BASE_URL: "http://env.test" }, () => assert.equal(new AxmeClient().baseUrl, "http://env.test"));
      assert.equal(new AxmeClient({ baseUrl: "http://given.test" }).baseUrl, "http://given.test");
    });
  });

  it("without one, the public URL is the default and a key is still required", () => {
    withProfile(undefined, () => {
      assert.equal(new AxmeClient({ apiKey: "axme_admin_k_s" }).baseUrl, DEFAULT_BASE_URL);
      assert.throws(() => new AxmeClient(), /axme login/);
    });
    withProfile({ base_url: LOCAL }, () => {
      assert.equal(new AxmeClient({ apiKey: "axme_admin_k_s" }).baseUrl, LOCAL);
      assert.throws(() => new AxmeClient(), /no API key/);
    });
  });

  it("a broken profile is a configuration error naming the file, read only when needed", () => {
    for (const content of ["{not json", "[1]", { base_url: 8100 }, { api_key: ["x"] }]) {
      withProfile(content, (path) => {
        assert.throws(() => new AxmeClient(), (err: Error) => err.message.includes(path));
        new AxmeClient({ apiKey: "axme_admin_k_s", baseUrl: LOCAL });
      });
    }
  });

  it("lives in the platform's config dir", () => {
    const home = homedir();
    assert.equal(configDir({ AXME_CONFIG_DIR: "/x/cfg" }, "linux"), "/x/cfg");
    assert.equal(configDir({ XDG_CONFIG_HOME: "/xdg" }, "linux"), "/xdg/axme");
    assert.equal(configDir({ XDG_CONFIG_HOME: " " }, "linux"), join(home, ".config", "axme"));
    assert.equal(configDir({}, "darwin"), join(home, "Library", "Application Support", "axme"));
    assert.equal(configDir({ APPDATA: "C:\\Users\\u\\AppData\\Roaming" }, "win32"), join("C:\\Users\\u\\AppData\\Roaming", "axme"));
    assert.equal(profilePath({ AXME_CONFIG_DIR: "/x/cfg" }, "linux"), "/x/cfg/config.json");
  });
});

describe("connection errors", () => {
  it("name the URL tried, without the query", async () => {
    const client = new AxmeClient({ apiKey: "axme_admin_k_s", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
    await assert.rejects(client.listIntents({ limit: 1 }), (err: Error) => {
      assert.ok(err instanceof AxmeConnectionError);
      assert.match(err.message, /http:\/\/127\.0\.0\.1:9\/v1\/intents/);
      assert.doesNotMatch(err.message, /limit=/);
      return true;
    });
  });
});
