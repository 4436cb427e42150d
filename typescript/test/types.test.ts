// The spec declares free-form objects `additionalProperties: true`; these checks
// fail at compile time (make test runs tsc first) if a generated type ever
// goes back to `Record<string, never>` or drifts from JsonObject.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  AuditEntry,
  CreateIntentRequest,
  DecideTaskRequest,
  ErrorObject,
  HumanTask,
  Intent,
  IntentEvent,
  JsonObject,
  ResolveIntentRequest,
  ResumeRequest,
  ScenarioBundle,
} from "../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Step = NonNullable<Intent["steps"]>[number];
type ScenarioStep = ScenarioBundle["workflow"]["steps"][number];

const freeFormMembers: Record<string, true> = {
  "Intent.payload": true as Equal<Intent["payload"], JsonObject>,
  "Intent.result": true as Equal<Intent["result"], JsonObject | null>,
  "StepSummary.result": true as Equal<Step["result"], JsonObject | null | undefined>,
  "Event.data": true as Equal<IntentEvent["data"], JsonObject>,
  "AuditEntry.data": true as Equal<AuditEntry["data"], JsonObject | null>,
  "IntentError.details": true as Equal<ErrorObject["details"], JsonObject | null | undefined>,
  "HumanTask.form_schema": true as Equal<HumanTask["form_schema"], JsonObject | undefined>,
  "CreateIntentRequest.payload": true as Equal<CreateIntentRequest["payload"], JsonObject>,
  "ResolveIntentRequest.result": true as Equal<ResolveIntentRequest["result"], JsonObject | undefined>,
  "TaskDecision.data": true as Equal<DecideTaskRequest["data"], JsonObject | undefined>,
  "ScenarioIntent.payload": true as Equal<ScenarioBundle["intent"]["payload"], JsonObject | undefined>,
  "ScenarioWorkflow.parameters": true as Equal<ScenarioBundle["workflow"]["parameters"], JsonObject | undefined>,
  "ScenarioStep.input": true as Equal<ScenarioStep["input"], JsonObject | undefined>,
  "ScenarioStep.runtime_config": true as Equal<ScenarioStep["runtime_config"], JsonObject | undefined>,
};

describe("public types", () => {
  it("expose free-form wire members as JsonObject", () => {
    assert.equal(Object.keys(freeFormMembers).length, 14);
    assert.ok(Object.values(freeFormMembers).every((v) => v === true));
  });

  it("read nested payload and result members of a wire intent without casts", () => {
    const intent = JSON.parse(
      '{"payload":{"change":{"id":7}},"result":{"approved_by":"ops"},"steps":[{"result":{"n":1}}]}',
    ) as Pick<Intent, "payload" | "result" | "steps">;
    assert.deepEqual(intent.payload.change, { id: 7 });
    assert.equal(intent.result?.approved_by, "ops");
    assert.equal(intent.steps?.[0]?.result?.n, 1);
  });

  it("accept any JSON in request payloads and a legacy resume body's extra members", () => {
    const request: CreateIntentRequest = {
      intent_type: "intent.demo.v1",
      to_agent: "demo",
      payload: { nested: { list: [1, "two", null] }, flag: true },
    };
    const legacy: ResumeRequest = { action: "complete", approved: true, ticket: "T-1" };
    assert.deepEqual(JSON.parse(JSON.stringify(request)).payload.nested.list, [1, "two", null]);
    assert.equal((legacy as JsonObject).ticket, "T-1");
  });
});
