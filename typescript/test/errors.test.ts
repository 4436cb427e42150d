import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AuthenticationError,
  AxmeApiError,
  AxmeClient,
  AxmeConnectionError,
  AxmeError,
  AxmeTimeoutError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RequestTimeoutError,
  ServerError,
  ValidationError,
} from "../src/index.js";
import { apiError, startStub, type StubServer } from "./stub-server.js";

const CASES: [number, string, new (...a: never[]) => AxmeApiError, string][] = [
  [400, "bad_request", BadRequestError, "BadRequest"],
  [401, "unauthorized", AuthenticationError, "Authentication"],
  [403, "forbidden", PermissionDeniedError, "PermissionDenied"],
  [404, "intent_not_found", NotFoundError, "NotFound"],
  [405, "method_not_allowed", BadRequestError, "BadRequest"],
  [408, "request_timeout", RequestTimeoutError, "Timeout"],
  [409, "intent_terminal", ConflictError, "Conflict"],
  [413, "payload_too_large", BadRequestError, "BadRequest"],
  [422, "validation_error", ValidationError, "Validation"],
  [429, "rate_limited", RateLimitError, "RateLimit"],
  [500, "internal_error", ServerError, "Server"],
  [503, "unavailable", ServerError, "Server"],
];

describe("error mapping", () => {
  let stub: StubServer;
  let respond: (res: import("node:http").ServerResponse) => void = () => undefined;
  before(async () => {
    stub = await startStub((_req, res) => respond(res));
  });
  after(() => stub.close());

  const client = () => new AxmeClient({ apiKey: "axme_admin_x_y", baseUrl: stub.baseUrl, maxRetries: 0 });

  for (const [status, code, ErrorClass, type] of CASES) {
    it(`${status} ${code} → ${ErrorClass.name}`, async () => {
      respond = (res) => apiError(res, status, code, { "x-trace-id": "trace-1" });
      const err = await client().getIntent("i1").then(
        () => assert.fail("expected an error"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ErrorClass, `got ${String(err)}`);
      assert.ok(err instanceof AxmeApiError && err instanceof AxmeError);
      assert.equal(err.status, status);
      assert.equal(err.code, code);
      assert.equal(err.type, type);
      assert.equal(err.requestId, "req_1");
      assert.equal(err.traceId, "trace-1");
      assert.equal(err.message, `${code} happened`, "the envelope's message, unformatted");
      assert.equal(String(err), `${ErrorClass.name}: ${status} ${code}: ${code} happened`);
      assert.equal(err.retryable, status >= 500 || status === 429 || status === 408);
    });
  }

  it("a non-JSON error body still gives a typed error with the text", async () => {
    respond = (res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
    };
    const err = (await client().getHealth().catch((e: unknown) => e)) as ServerError;
    assert.ok(err instanceof ServerError);
    assert.equal(err.code, "http_502");
    assert.equal(err.body, "<html>bad gateway</html>");
    assert.equal(err.retryable, true);
    assert.equal(err.message, "<html>bad gateway</html>");
  });

  it("a non-envelope body's message is its first 200 characters (REQ-ERR-013)", async () => {
    // Non-ASCII before the cut: 200 characters is not 200 bytes.
    const text = "Mauvaise passerelle — réessayez plus tard. ".repeat(6);
    for (const [status, body, message, Class, retryable] of [
      [502, text, text.slice(0, 200), ServerError, true],
      [404, "404 page not found", "404 page not found", NotFoundError, false],
      [503, '{"detail":"not an envelope"}', '{"detail":"not an envelope"}', ServerError, true],
    ] as const) {
      respond = (res) => {
        res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
        res.end(body);
      };
      const err = (await client().getHealth().catch((e: unknown) => e)) as AxmeApiError;
      assert.ok(err instanceof Class, `got ${String(err)}`);
      assert.equal(err.code, `http_${status}`);
      assert.equal(err.retryable, retryable);
      assert.equal(err.message, message);
    }
    assert.ok(text.length > 200 && Buffer.byteLength(text.slice(0, 200)) > 200);
  });

  it("a 2xx body that is not JSON is an AxmeError, not a SyntaxError", async () => {
    respond = (res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("hello");
    };
    await assert.rejects(client().getHealth(), (e: unknown) => e instanceof AxmeError && /not JSON/.test(e.message));
  });

  it("an empty 2xx body (204) is {}", async () => {
    respond = (res) => {
      res.writeHead(204);
      res.end();
    };
    assert.deepEqual(await client().getHealth(), {});
  });

  it("connection refused → AxmeConnectionError (not a timeout)", async () => {
    const dead = await startStub(() => undefined);
    const url = dead.baseUrl;
    await dead.close();
    const c = new AxmeClient({ apiKey: "k", baseUrl: url, maxRetries: 0 });
    const err = await c.getHealth().catch((e: unknown) => e);
    assert.ok(err instanceof AxmeConnectionError);
    assert.ok(!(err instanceof AxmeTimeoutError));
    assert.equal((err as AxmeConnectionError).type, "Connection");
  });

  it("an attempt past its timeout → AxmeTimeoutError", async () => {
    respond = () => undefined; // never answers
    const c = new AxmeClient({ apiKey: "k", baseUrl: stub.baseUrl, maxRetries: 0, timeout: 50 });
    const err = await c.getHealth().catch((e: unknown) => e);
    assert.ok(err instanceof AxmeTimeoutError, String(err));
    assert.ok(err instanceof AxmeConnectionError);
    assert.equal((err as AxmeTimeoutError).type, "Timeout");
  });
});
