// The conformance driver's call tables (scripts/gen-driver-calls.mjs, make gen): every
// operation of spec/naming.yaml is callable or says why not, and the rules read
// parameters by their wire names and refuse what they cannot read. Needs the build (dist/).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { callExpression, classMethods, handWrittenNames } from "./gen-driver-calls.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const naming = yaml.load(readFileSync(join(root, "..", "spec", "naming.yaml"), "utf8"));
const { generatedCalls, notCalls } = await import(join(root, "dist", "esm", "conformance-driver-calls.js"));
const { handWrittenCalls } = await import(join(root, "dist", "esm", "conformance-driver-hand-written.js"));

test("every operation of naming.yaml is callable, or is a stream or has no TypeScript name", () => {
  for (const operation of Object.keys(naming.operations)) {
    const where = [generatedCalls, handWrittenCalls, notCalls].filter((table) => operation in table);
    assert.equal(where.length, 1, `${operation} is in ${where.length} tables`);
  }
  assert.deepEqual(Object.keys(notCalls).sort(), ["getReadiness", "streamAgentDeliveries", "streamIntentEvents"]);
});

test("the hand-written calls are naming.yaml's helpers, resumeIntent and the driver protocol's own", () => {
  const source = readFileSync(join(root, "src", "conformance-driver-hand-written.ts"), "utf8");
  assert.deepEqual([...handWrittenNames(source)].sort(), Object.keys(handWrittenCalls).sort());
  const known = new Set([...Object.keys(naming.helpers), "resumeIntent", "resumeIntentHelper", "intentHandle"]);
  for (const name of Object.keys(handWrittenCalls)) assert.ok(known.has(name), name);
});

const OPTIONS = { name: "options", type: "RequestOptions" };
const wire = (http, { path = [], query = [], body = null } = {}) => ({
  http,
  path: new Set(path),
  query: new Set(query),
  body: body && new Set(body),
  stream: false,
});

test("path parameters and string members are read by name, the last object is the rest", () => {
  const post = wire("POST", { path: ["intent_id"], body: ["delivery_id", "note"] });
  const ack = [{ name: "intentId", type: "PathId" }, { name: "deliveryId", type: "string" }, OPTIONS];
  assert.equal(callExpression("ack", ack, post), 'c.ack(str(a, "intent_id"), str(a, "delivery_id"), o)');
  const decide = [{ name: "intentId", type: "PathId" }, { name: "request", type: "Cased<X>" }, OPTIONS];
  assert.equal(callExpression("decide", decide, post), 'c.decide(str(a, "intent_id"), rest(a, "intent_id") as never, o)');
  const list = [{ name: "params", type: "{ limit?: number }" }, OPTIONS];
  assert.equal(callExpression("list", list, wire("GET", { query: ["limit"] })), "c.list(a as never, o)");
  const note = [{ name: "note", type: "JsonObject" }, OPTIONS];
  assert.equal(callExpression("noted", note, post), 'c.noted(a["note"] as never, o)');
});

test("the rules refuse what they cannot read", () => {
  const post = wire("POST", { path: ["intent_id"], body: ["note"] });
  const refused = [
    [[{ name: "intentId", type: "PathId" }], "its last parameter is not options: RequestOptions"],
    [[{ name: "intentId", type: "PathId" }, { name: "options", type: "RequestOptions & { reason?: string }" }], "not options"],
    [[{ name: "body", type: "X" }, { name: "note", type: "string" }, OPTIONS], "parameter body is no wire member"],
  ];
  for (const [params, why] of refused) assert.throws(() => callExpression("m", params, post), new RegExp(why));
  const get = [{ name: "params", type: "X" }, OPTIONS];
  assert.throws(() => callExpression("m", get, wire("GET", { path: ["intent_id"] })), /not the query or body/);
});

test("a class's methods include the ones it inherits, its own first", () => {
  const text = `
    class Base { a(x: string, options?: RequestOptions) {} b(options?: RequestOptions) {} }
    export class AxmeClient extends Base { b(y: number, options?: RequestOptions) {} }`;
  const methods = classMethods([{ path: "x.ts", text }], "AxmeClient");
  assert.deepEqual([...methods.keys()].sort(), ["a", "b"]);
  assert.deepEqual(methods.get("b"), [{ name: "y", type: "number" }, OPTIONS]);
});
