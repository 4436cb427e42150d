import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { afterEach, describe, it } from "node:test";
import { AuthenticationError, AxmeClient, NotFoundError, StreamError, type IntentEvent } from "../src/index.js";
import { apiError, json, sseEvent, sseHeaders, startStub, type RecordedRequest, type StubServer } from "./stub-server.js";

let stub: StubServer | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function serve(handler: (req: RecordedRequest, res: ServerResponse, n: number) => void | Promise<void>) {
  stub = await startStub(handler);
  return new AxmeClient({ apiKey: "axme_admin_a_b", baseUrl: stub.baseUrl, maxRetries: 2, retryBaseDelay: 5 });
}

/** Polls `condition` every 10 ms; fails after 2 s. */
async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function collect(iterable: AsyncIterable<IntentEvent>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const e of iterable) seqs.push(e.seq);
  return seqs;
}

describe("observe", () => {
  it("yields each event as it arrives, before the stream closes", async () => {
    let sendRest!: () => void;
    const firstConsumed = new Promise<void>((resolve) => (sendRest = resolve));
    const client = await serve(async (_req, res) => {
      sseHeaders(res);
      res.write("retry: 2000\n\n");
      res.write(sseEvent(1, "SUBMITTED", "intent.submitted"));
      await firstConsumed; // the server holds back until the client has seen event 1
      res.write(sseEvent(2, "COMPLETED", "intent.completed"));
      res.end();
    });
    const seqs: number[] = [];
    for await (const e of client.observe("i1")) {
      seqs.push(e.seq);
      if (e.seq === 1) sendRest();
    }
    assert.deepEqual(seqs, [1, 2]);
    assert.equal(stub!.requests[0]!.headers["accept"], "text/event-stream");
  });

  it("resumes after a dropped connection with Last-Event-ID, without duplicates", async () => {
    const client = await serve((req, res, n) => {
      sseHeaders(res);
      if (n === 0) {
        res.write(sseEvent(1, "SUBMITTED") + sseEvent(2, "DELIVERED"));
        setTimeout(() => res.destroy(), 20); // drop mid-stream
      } else {
        // a server that replays from an older point must not cause duplicates
        res.write(sseEvent(2, "DELIVERED") + sseEvent(3, "COMPLETED", "intent.completed"));
        res.end();
      }
    });
    assert.deepEqual(await collect(client.observe("i1")), [1, 2, 3]);
    assert.equal(stub!.requests.length, 2);
    assert.equal(stub!.requests[0]!.headers["last-event-id"], undefined);
    assert.equal(stub!.requests[1]!.headers["last-event-id"], "2");
    assert.equal(stub!.requests[1]!.query.get("since"), "2");
  });

  it("starts from `since` and sends wait_seconds", async () => {
    const client = await serve((_req, res) => {
      sseHeaders(res);
      res.end(sseEvent(6, "COMPLETED", "intent.completed"));
    });
    assert.deepEqual(await collect(client.observe("i1", { since: 5, waitSeconds: 7 })), [6]);
    assert.equal(stub!.requests[0]!.query.get("since"), "5");
    assert.equal(stub!.requests[0]!.query.get("wait_seconds"), "7");
  });

  it("reconnects after stream.timeout and after 503, then finishes", async () => {
    const client = await serve((_req, res, n) => {
      if (n === 0) {
        sseHeaders(res);
        res.end(sseEvent(1, "SUBMITTED") + 'event: stream.timeout\ndata: {"next_seq":1}\n\n');
      } else if (n === 1) apiError(res, 503, "unavailable");
      else {
        sseHeaders(res);
        res.end(sseEvent(2, "COMPLETED", "intent.completed"));
      }
    });
    assert.deepEqual(await collect(client.observe("i1")), [1, 2]);
    assert.equal(stub!.requests.length, 3);
  });

  it("streamIntentEvents is one raw connection: it ends at stream.timeout, no reconnect", async () => {
    const client = await serve((_req, res) => {
      sseHeaders(res);
      res.end(sseEvent(3, "DELIVERED") + ": keepalive\n\n" + 'event: stream.timeout\ndata: {"next_seq":4}\n\n');
    });
    assert.deepEqual(await collect(client.streamIntentEvents("i1", { since: 2, waitSeconds: 1 })), [3]);
    assert.equal(stub!.requests.length, 1);
    assert.equal(stub!.requests[0]!.query.get("since"), "2");
  });

  it("a stream that goes silent is a connection error naming the URL (REQ-CLIENT-009)", async () => {
    const client = await serve((_req, res) => sseHeaders(res)); // headers, then nothing
    await assert.rejects(collect(client.streamIntentEvents("i1", { idleTimeoutMs: 100 })), (err: Error) => {
      assert.match(err.message, new RegExp(`${stub!.baseUrl}/v1/intents/i1/events/stream`));
      return true;
    });
  });

  it("streamAgentDeliveries yields the offered deliveries without acking them", async () => {
    const delivery = { delivery_id: "d1", intent_id: "i1", attempt: 1, lease_expires_at: "2099-01-01T00:00:00.000Z", status: "DELIVERED", intent: {} };
    const client = await serve((_req, res) => {
      sseHeaders(res);
      res.end(`id: 7\nevent: intent.delivery\ndata: ${JSON.stringify(delivery)}\n\n`);
    });
    const ids: string[] = [];
    for await (const d of client.streamAgentDeliveries("agent://o/w/a")) ids.push(d.delivery_id);
    assert.deepEqual(ids, ["d1"]);
    assert.deepEqual(stub!.requests.map((r) => r.method), ["GET"]); // no ack, no reconnect
  });

  it("untilTerminal false keeps observing past a terminal event until aborted", async () => {
    const client = await serve((_req, res, n) => {
      sseHeaders(res);
      if (n === 0) res.end(sseEvent(1, "SUBMITTED") + sseEvent(2, "COMPLETED", "intent.completed"));
      else res.write(sseEvent(3, "COMPLETED", "intent.completed"));
    });
    const controller = new AbortController();
    const seqs: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of client.observe("i1", { untilTerminal: false, signal: controller.signal })) {
          seqs.push(e.seq);
          if (e.seq === 3) controller.abort();
        }
      })(),
      { name: "AbortError" },
    );
    assert.deepEqual(seqs, [1, 2, 3]);
  });

  it("yields only intent.* frames; stream.timeout resumes from next_seq - 1", async () => {
    const client = await serve((_req, res, n) => {
      sseHeaders(res);
      if (n === 0) {
        const stray = JSON.parse(sseEvent(9, "COMPLETED").split("data: ")[1]!) as object;
        res.end(
          sseEvent(1, "SUBMITTED") +
            `data: ${JSON.stringify(stray)}\n\n` + // no event name: "message"
            `event: other\ndata: ${JSON.stringify(stray)}\n\n` +
            'event: stream.timeout\ndata: {"next_seq":2}\n\n',
        );
      } else res.end(sseEvent(2, "CANCELED", "intent.canceled"));
    });
    assert.deepEqual(await collect(client.observe("i1")), [1, 2]);
    assert.equal(stub!.requests[1]!.query.get("since"), "1");
    assert.equal(stub!.requests[1]!.headers["last-event-id"], "1");
  });

  it("raises StreamError after max(maxRetries, 5) + 1 failed connections in a row", async () => {
    const client = await serve((_req, res) => apiError(res, 503, "unavailable"));
    await assert.rejects(collect(client.observe("i1")), { name: "StreamError", type: "Stream" });
    assert.equal(stub!.requests.length, 6);
  });

  it("treats a silent connection as dead after the idle timeout and reconnects", async () => {
    const client = await serve((_req, res, n) => {
      sseHeaders(res);
      if (n === 0) res.write(sseEvent(1, "SUBMITTED")); // then silence, connection left open
      else res.end(sseEvent(2, "COMPLETED", "intent.completed"));
    });
    assert.deepEqual(await collect(client.observe("i1", { idleTimeoutMs: 100 })), [1, 2]);
    assert.equal(stub!.requests[1]!.headers["last-event-id"], "1");
  });

  it("keepalive comments keep an idle connection alive", async () => {
    const client = await serve(async (_req, res) => {
      sseHeaders(res);
      for (let i = 0; i < 6; i++) {
        res.write(": keepalive\n\n");
        await new Promise((r) => setTimeout(r, 40));
      }
      res.end(sseEvent(1, "COMPLETED", "intent.completed"));
    });
    assert.deepEqual(await collect(client.observe("i1", { idleTimeoutMs: 150 })), [1]);
    assert.equal(stub!.requests.length, 1);
  });

  it("falls back to polling /events when the stream endpoint is missing (404/405/501)", async () => {
    for (const status of [404, 405, 501]) {
      await stub?.close();
      const client = await serve((req, res) => {
        if (req.path.endsWith("/stream")) apiError(res, status, status === 404 ? "not_found" : "method_not_allowed");
        else if (req.query.get("since") === null)
          json(res, 200, { ok: true, events: [JSON.parse(sseEvent(1, "SUBMITTED").split("data: ")[1]!)], next_seq: 1 });
        else json(res, 200, { ok: true, events: [JSON.parse(sseEvent(2, "FAILED", "intent.failed").split("data: ")[1]!)], next_seq: 2 });
      });
      assert.deepEqual(await collect(client.observe("i1", { pollIntervalMs: 5 })), [1, 2], `status ${status}`);
      // after the FAILED event, one read looks for a retry of it (REQ-REATTEMPT-009)
      assert.deepEqual(stub!.requests.map((r) => r.path), ["/v1/intents/i1/events/stream", "/v1/intents/i1/events", "/v1/intents/i1/events", "/v1/intents/i1"]);
    }
  });

  it("an unknown intent is NotFound, not a polling loop", async () => {
    const client = await serve((_req, res) => apiError(res, 404, "intent_not_found"));
    await assert.rejects(collect(client.observe("nope")), NotFoundError);
    assert.equal(stub!.requests.length, 1);
  });

  it("401 is thrown, never reconnected", async () => {
    const client = await serve((_req, res) => apiError(res, 401, "unauthorized"));
    await assert.rejects(collect(client.observe("i1")), AuthenticationError);
    assert.equal(stub!.requests.length, 1);
  });

  it("a frame whose data is not JSON is a StreamError", async () => {
    const client = await serve((_req, res) => {
      sseHeaders(res);
      res.end("id: 1\nevent: intent.progress\ndata: {not json\n\n");
    });
    await assert.rejects(collect(client.observe("i1")), StreamError);
  });

  it("aborting the signal ends iteration with the abort reason and closes the connection", async () => {
    let closed = false;
    const client = await serve((req, res) => {
      sseHeaders(res);
      res.write(sseEvent(1, "SUBMITTED"));
      res.on("close", () => (closed = true));
      void req;
    });
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of client.observe("i1", { signal: controller.signal })) {
          seen.push(e.seq);
          controller.abort();
        }
      })(),
      { name: "AbortError" },
    );
    assert.deepEqual(seen, [1]);
    await waitUntil(() => closed, "the server saw the connection close");
  });

  it("breaking out of the loop closes the connection", async () => {
    let closed = false;
    const client = await serve((_req, res) => {
      sseHeaders(res);
      res.write(sseEvent(1, "SUBMITTED"));
      res.on("close", () => (closed = true));
    });
    for await (const _e of client.observe("i1")) break;
    await waitUntil(() => closed, "the server saw the connection close");
  });
});

describe("waitFor", () => {
  const intent = (status: string, lastSeq = 1) => ({ ok: true, intent: { intent_id: "i1", status, last_seq: lastSeq } });

  const intentFrame = (status: string, lastSeq = 1) =>
    `event: stream.intent\ndata: ${JSON.stringify({ intent: intent(status, lastSeq).intent })}\n\n`;

  it("makes one request: the intent comes from the stream's stream.intent frames (REQ-WAIT-005)", async () => {
    const client = await serve((req, res) => {
      if (!req.path.endsWith("/stream")) return json(res, 500, {});
      sseHeaders(res);
      res.end(intentFrame("WAITING", 3) + sseEvent(4, "COMPLETED", "intent.completed") + intentFrame("COMPLETED", 4));
    });
    const result = await client.waitFor("i1");
    assert.equal(result.status, "COMPLETED");
    assert.equal(result.last_seq, 4);
    assert.equal(stub!.requests.length, 1);
    assert.equal(stub!.requests[0]!.query.get("include_intent"), "true");
  });

  it("returns an already terminal intent from the first frame, with one request", async () => {
    const client = await serve((req, res) => {
      if (!req.path.endsWith("/stream")) return json(res, 500, {});
      sseHeaders(res);
      res.write(intentFrame("CANCELED", 2)); // already terminal: the whole answer (REQ-SSE-016); held open
    });
    assert.equal((await client.waitFor("i1")).status, "CANCELED");
    assert.equal(stub!.requests.length, 1);
  });

  it("against an older server (no stream.intent frames) reads the intent once after the terminal event", async () => {
    const client = await serve((req, res) => {
      if (req.path.endsWith("/stream")) {
        sseHeaders(res);
        res.end(sseEvent(4, "TIMED_OUT", "intent.timed_out"));
      } else json(res, 200, intent("TIMED_OUT", 4));
    });
    const result = await client.waitFor("i1");
    assert.equal(result.status, "TIMED_OUT");
    assert.deepEqual(stub!.requests.map((r) => r.path.endsWith("/stream")), [true, false]);
  });

  it("throws WaitTimeoutError on its own timeout", async () => {
    const client = await serve((req, res) => {
      if (req.path.endsWith("/stream")) sseHeaders(res); // never sends anything
      else json(res, 200, intent("WAITING"));
    });
    await assert.rejects(client.waitFor("i1", { timeout: 100 }), { name: "WaitTimeoutError", type: "WaitTimeout" });
  });

  it("cancelling the wait rejects with the abort reason and writes nothing", async () => {
    const client = await serve((req, res) => {
      if (req.path.endsWith("/stream")) sseHeaders(res);
      else json(res, 200, intent("WAITING"));
    });
    const controller = new AbortController();
    const pending = client.waitFor("i1", { signal: controller.signal });
    await stub!.waitForRequests(1);
    controller.abort();
    await assert.rejects(pending, { name: "AbortError" });
    assert.ok(stub!.requests.every((r) => r.method === "GET"));
  });
});
