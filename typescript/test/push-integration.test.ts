/** The push binding against the real reference server: the server pushes to createPushReceiver on node:http. */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { AxmeClient, createPushReceiver, signDelivery, type DeliveryHandler } from "../src/index.js";
import { startServer, type RunningServer } from "./server.js";

let server: RunningServer;
let admin: AxmeClient;

before(async () => {
  server = await startServer(["--testing"]);
  admin = new AxmeClient({ apiKey: server.adminKey, baseUrl: server.baseUrl, retryBaseDelay: 20 });
});
after(() => server?.stop());

describe("push binding against the reference server", () => {
  it("the server pushes, the receiver runs the handler, the intent completes; a replay or a tampered body gets 401", async () => {
    const secret = "whsec_ts_integration_0123456789abcdef";
    // Listen first: the agent's callback_url is this server's URL.
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    const registered = await admin.registerAgent({ address: "ts-push-worker", deliveryMode: "http", callbackUrl: url, callbackSecret: secret });
    const agent = new AxmeClient({ apiKey: registered.api_key, baseUrl: server.baseUrl, retryBaseDelay: 20 });
    const deliveries: string[] = [];
    const handler: DeliveryHandler = (intent, ctx) => {
      deliveries.push(ctx.delivery.delivery_id);
      return { echoed: intent.payload ?? null };
    };
    const receiver = createPushReceiver(agent, handler, { secret });
    http.on("request", receiver);
    try {
      const intentId = await admin.sendIntent({ intentType: "intent.test.push.v1", toAgent: "ts-push-worker", payload: { n: 1 } });
      const done = await admin.waitFor(intentId, { timeout: 20_000 });
      assert.equal(done.status, "COMPLETED");
      assert.deepEqual(done.result, { echoed: { n: 1 } });
      assert.equal(deliveries.length, 1);
      // The delivery it served, sent again freshly signed: a replay (REQ-PUSH-005).
      const body = JSON.stringify({ delivery_id: deliveries[0], intent_id: intentId });
      const post = (raw: string) =>
        fetch(url, {
          method: "POST",
          body: raw,
          headers: {
            "content-type": "application/json",
            "x-axme-signature": signDelivery(body, secret, Math.floor(Date.now() / 1000)),
            "x-axme-delivery-id": deliveries[0]!,
          },
        });
      const tampered = await post(body.replace("}", ',"attempt":9}'));
      assert.equal(tampered.status, 401);
      assert.deepEqual(await tampered.json(), { error: "signature_mismatch" });
      const replayed = await post(body);
      assert.equal(replayed.status, 401);
      assert.deepEqual(await replayed.json(), { error: "replayed_delivery" });
      assert.equal(deliveries.length, 1);
    } finally {
      await receiver.close();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      await closed;
    }
  });
});
