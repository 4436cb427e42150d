import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { snakeCaseKey, toWireKeys, toWireQuery } from "../src/casing.js";

describe("casing", () => {
  it("renames camelCase top-level keys and keeps snake_case ones", () => {
    assert.equal(snakeCaseKey("intentType"), "intent_type");
    assert.equal(snakeCaseKey("maxDeliveryAttempts"), "max_delivery_attempts");
    assert.equal(snakeCaseKey("to_agent"), "to_agent");
    assert.equal(snakeCaseKey("payload"), "payload");
  });

  it("never re-cases payload contents", () => {
    const wire = toWireKeys({
      intentType: "intent.x.v1",
      to_agent: "agent://a/b/c",
      payload: { changeType: "db", nested: { someKey: 1 } },
      humanTask: { title: "t", allowed_outcomes: ["approved"] },
    });
    assert.deepEqual(wire, {
      intent_type: "intent.x.v1",
      to_agent: "agent://a/b/c",
      payload: { changeType: "db", nested: { someKey: 1 } },
      human_task: { title: "t", allowed_outcomes: ["approved"] },
    });
  });

  it("drops undefined values, keeps null", () => {
    assert.deepEqual(toWireKeys({ a: undefined, replyTo: null }), { reply_to: null });
  });

  it("rejects the same field spelled both ways", () => {
    assert.throws(() => toWireKeys({ toAgent: "a", to_agent: "b" }, "createIntent"), {
      name: "TypeError",
      message: /createIntent: both "toAgent" and "to_agent"/,
    });
  });

  it("rejects a non-object request", () => {
    assert.throws(() => toWireKeys(null as unknown as object), TypeError);
    assert.throws(() => toWireKeys([] as unknown as object), TypeError);
  });

  it("builds query strings in snake_case without empty values", () => {
    assert.deepEqual(toWireQuery({ toAgent: "x", limit: 5, cursor: undefined, status: null }), { to_agent: "x", limit: "5" });
    assert.deepEqual(toWireQuery(undefined), {});
  });
});
