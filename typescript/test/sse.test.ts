import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseSseStream, SseParser, type ServerSentEvent } from "../src/sse.js";

interface Vector {
  name: string;
  input: string;
  events: ServerSentEvent[];
  retry_ms: number | null;
}

// build/test/sse.test.js → repo root is three levels up.
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const vectors = (JSON.parse(readFileSync(join(repoRoot, "conformance", "vectors", "sse.json"), "utf8")) as { vectors: Vector[] }).vectors;

function parseWhole(input: string): { events: ServerSentEvent[]; retryMs: number | null } {
  const parser = new SseParser();
  const events = parser.feed(input);
  parser.end();
  return { events, retryMs: parser.retryMs };
}

function bytesStream(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

describe("SSE parser: shared vectors (conformance/vectors/sse.json)", () => {
  assert.ok(vectors.length >= 20, "vector file loaded");
  for (const vector of vectors) {
    it(`${vector.name}: whole input`, () => {
      const { events, retryMs } = parseWhole(vector.input);
      assert.deepEqual(events, vector.events);
      assert.equal(retryMs, vector.retry_ms);
    });

    it(`${vector.name}: every character as its own chunk`, () => {
      const parser = new SseParser();
      const events: ServerSentEvent[] = [];
      for (const ch of vector.input) events.push(...parser.feed(ch));
      parser.end();
      assert.deepEqual(events, vector.events);
      assert.equal(parser.retryMs, vector.retry_ms);
    });

    it(`${vector.name}: UTF-8 bytes one at a time through parseSseStream`, async () => {
      const parser = new SseParser();
      const events: ServerSentEvent[] = [];
      for await (const e of parseSseStream(bytesStream(new TextEncoder().encode(vector.input), 1), parser)) events.push(e);
      assert.deepEqual(events, vector.events);
      assert.equal(parser.retryMs, vector.retry_ms);
    });
  }
});

describe("SSE parser: streaming", () => {
  it("yields an event before the stream ends", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const encoder = new TextEncoder();
    let step = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (step === 0) controller.enqueue(encoder.encode("data: first\n\n"));
        else if (step === 1) {
          await gate; // the second event only exists after the first was consumed
          controller.enqueue(encoder.encode("data: second\n\n"));
        } else controller.close();
        step++;
      },
    });
    const seen: string[] = [];
    for await (const event of parseSseStream(body)) {
      seen.push(event.data);
      if (event.data === "first") release();
    }
    assert.deepEqual(seen, ["first", "second"]);
  });

  it("keeps a CR at a chunk boundary from producing an extra blank line", () => {
    const parser = new SseParser();
    const events = [...parser.feed("data: a\r"), ...parser.feed("\ndata: b\r"), ...parser.feed("\n\r\n")];
    assert.deepEqual(events, [{ id: null, event: "message", data: "a\nb" }]);
  });

  it("cancels the body when the consumer stops early", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("data: x\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _event of parseSseStream(body)) break;
    assert.equal(cancelled, true);
  });
});
