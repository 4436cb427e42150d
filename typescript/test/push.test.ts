import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { AxmeError, InMemorySeenDeliveries, SignatureError, signDelivery, verifyDelivery } from "../src/index.js";

interface Verification {
  name: string;
  secrets: string[];
  now: number;
  tolerance_s: number;
  headers: Record<string, string>;
  body: string;
  seen: string[];
  expect: { ok: boolean; reason?: string; delivery_id?: string; intent_id?: string; attempt?: number };
}
interface Signature {
  name: string;
  secret: string;
  timestamp: number;
  body: string;
  signature: string;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const vectors = JSON.parse(readFileSync(join(repoRoot, "conformance", "vectors", "push-signature.json"), "utf8")) as {
  signatures: Signature[];
  verifications: Verification[];
};
const SECRET = "whsec_test_0123456789abcdef";
const BODY = '{"delivery_id":"dlv_a","intent_id":"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10"}';
const T = 1_795_255_200;

function headers(body: string, t: number, secret = SECRET): Record<string, string> {
  return { "x-axme-signature": signDelivery(body, secret, t), "x-axme-delivery-id": "dlv_a" };
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SignatureError, String(err));
    return err.reason;
  }
  return "accepted";
}

describe("push signatures: shared vectors (conformance/vectors/push-signature.json)", () => {
  assert.ok(vectors.verifications.length >= 20, "vector file loaded");
  for (const v of vectors.signatures) {
    it(`sign: ${v.name}`, () => {
      assert.equal(signDelivery(v.body, v.secret, v.timestamp), `t=${v.timestamp},v1=${v.signature}`);
    });
  }
  for (const v of vectors.verifications) {
    it(`verify: ${v.name}`, () => {
      const seen = new InMemorySeenDeliveries();
      for (const id of v.seen) seen.add(id);
      const verify = () =>
        verifyDelivery(new TextEncoder().encode(v.body), v.headers, v.secrets, {
          toleranceSeconds: v.tolerance_s,
          seen,
          now: () => v.now * 1000,
        });
      if (v.expect.ok) {
        const d = verify();
        assert.equal(d.delivery_id, v.expect.delivery_id);
        assert.equal(d.intent_id, v.expect.intent_id);
        if (v.expect.attempt !== undefined) assert.equal(d.attempt, v.expect.attempt);
      } else {
        assert.equal(reasonOf(verify), v.expect.reason);
      }
    });
  }
});

describe("verifyDelivery", () => {
  it("refuses a delivery id it accepted, even re-signed with a fresh timestamp", () => {
    const seen = new InMemorySeenDeliveries();
    verifyDelivery(BODY, headers(BODY, T), SECRET, { seen, now: () => T * 1000 });
    assert.equal(reasonOf(() => verifyDelivery(BODY, headers(BODY, T + 5), SECRET, { seen, now: () => (T + 5) * 1000 })), "replayed_delivery");
  });

  it("a rejected push does not use up the id", () => {
    const seen = new InMemorySeenDeliveries();
    assert.equal(reasonOf(() => verifyDelivery(BODY, headers(BODY, T, "whsec_wrong"), SECRET, { seen, now: () => T * 1000 })), "signature_mismatch");
    assert.equal(verifyDelivery(BODY, headers(BODY, T), SECRET, { seen, now: () => T * 1000 }).delivery_id, "dlv_a");
  });

  it("forgets ids after the replay window", () => {
    let clock = 0;
    const seen = new InMemorySeenDeliveries(undefined, () => clock);
    assert.ok(seen.add("dlv_a"));
    clock = 599_999;
    assert.ok(!seen.add("dlv_a"));
    clock = 600_000;
    assert.ok(seen.add("dlv_a"));
    assert.equal(seen.size, 1);
  });

  it("uses a process-wide seen set by default", () => {
    const body = '{"delivery_id":"dlv_process","intent_id":"i"}';
    const h = { "X-Axme-Signature": signDelivery(body, SECRET, Math.floor(Date.now() / 1000)), "X-Axme-Delivery-Id": "dlv_process" };
    verifyDelivery(body, h, SECRET);
    assert.equal(reasonOf(() => verifyDelivery(body, h, SECRET)), "replayed_delivery");
  });

  it("applies the tolerance both ways", () => {
    for (const [offset, tolerance, ok] of [
      [0, 300, true],
      [300, 300, true],
      [-300, 300, true],
      [301, 300, false],
      [10, 10, true],
      [11, 10, false],
    ] as const) {
      const verify = () =>
        verifyDelivery(BODY, headers(BODY, T), SECRET, {
          toleranceSeconds: tolerance,
          seen: new InMemorySeenDeliveries(),
          now: () => (T + offset) * 1000,
        });
      assert.equal(reasonOf(verify), ok ? "accepted" : "stale_timestamp", `offset ${offset}`);
    }
  });

  it("accepts either secret of a rotation", () => {
    const both = `${signDelivery(BODY, "whsec_old", T)},v1=${signDelivery(BODY, "whsec_new", T).split("v1=")[1]}`;
    for (const secrets of [["whsec_old"], ["whsec_new"], ["whsec_new", "whsec_old"]]) {
      const h = { "X-Axme-Signature": both, "X-Axme-Delivery-Id": "dlv_a" };
      verifyDelivery(BODY, h, secrets, { seen: new InMemorySeenDeliveries(), now: () => T * 1000 });
    }
  });

  it("reads fetch Headers too, and its error is an AxmeError", () => {
    const h = new Headers(headers(BODY, T));
    assert.equal(verifyDelivery(BODY, h, SECRET, { seen: new InMemorySeenDeliveries(), now: () => T * 1000 }).intent_id.length, 36);
    const err = new SignatureError("stale_timestamp", "x");
    assert.ok(err instanceof AxmeError);
    assert.equal(err.type, "Signature");
  });
});

describe("createPushReceiver without a server", () => {
  it("answers 405, 413, 401 with the reason, and 503 after close, never running the handler", async () => {
    const { createServer } = await import("node:http");
    const { AxmeClient, createPushReceiver } = await import("../src/index.js");
    const client = new AxmeClient({ apiKey: "axme_admin_unit", baseUrl: "http://127.0.0.1:9" });
    const receiver = createPushReceiver(
      client,
      () => {
        throw new Error("the handler must not run");
      },
      { secret: SECRET, onError: () => undefined },
    );
    const http = createServer(receiver);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/`;
    const now = Math.floor(Date.now() / 1000);
    const answer = async (init: RequestInit) => {
      const response = await fetch(url, init);
      return [response.status, ((await response.json()) as { error?: string }).error];
    };
    try {
      assert.deepEqual(await answer({ method: "GET" }), [405, "method_not_allowed"]);
      assert.deepEqual(await answer({ method: "POST", body: "x".repeat(8 * 1024 * 1024 + 1) }), [413, "body_too_large"]);
      assert.deepEqual(await answer({ method: "POST", body: BODY }), [401, "missing_signature"]);
      assert.deepEqual(await answer({ method: "POST", body: BODY, headers: headers(BODY, now, "whsec_other") }), [401, "signature_mismatch"]);
      assert.deepEqual(await answer({ method: "POST", body: BODY, headers: headers(BODY, now - 301) }), [401, "stale_timestamp"]);
      await receiver.close();
      assert.deepEqual(await answer({ method: "POST", body: BODY, headers: headers(BODY, now) }), [503, "shutting_down"]);
    } finally {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});
