/**
 * A tiny scripted HTTP server on 127.0.0.1 for unit-level edge cases
 * (integration tests use the real reference server). Each request is recorded
 * and answered by the test's handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
  at: number;
}

export type StubHandler = (req: RecordedRequest, res: ServerResponse, index: number) => void | Promise<void>;

export interface StubServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Resolves when `count` requests have arrived (rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startStub(handler: StubHandler): Promise<StubServer> {
  const requests: RecordedRequest[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      requests.push(recorded);
      for (const w of waiters.splice(0)) w();
      Promise.resolve(handler(recorded, res, requests.length - 1)).catch((err) => {
        res.destroy(err as Error);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    async waitForRequests(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`stub: ${requests.length}/${count} requests after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, Math.max(1, deadline - Date.now()));
        });
      }
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function apiError(res: ServerResponse, status: number, code: string, extra: Record<string, string> = {}): void {
  json(
    res,
    status,
    { ok: false, error: { code, message: `${code} happened`, category: "internal", retryable: status >= 500 || status === 429 || status === 408, details: null }, detail: `${code} happened` },
    { "x-request-id": "req_1", ...extra },
  );
}

export function sseHeaders(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
}

export function sseEvent(seq: number, status: string, eventType = "intent.progress", intentId = "i1"): string {
  const data = { intent_id: intentId, seq, event_type: eventType, at: "2026-01-01T00:00:00.000Z", status, data: {} };
  return `id: ${seq}\nevent: ${eventType}\ndata: ${JSON.stringify(data)}\n\n`;
}
