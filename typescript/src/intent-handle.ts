/**
 * The intent handle (REQ-CLIENT-010): what `submitIntent` returns.
 *
 *   const intent = await client.submitIntent({ intentType, toAgent, payload });
 *   const final = await intent.wait({ timeout: 60_000 });   // or: for await (const e of intent.observe())
 *   await intent.cancel({ reason: "no longer needed" });    // or complete(result) / fail(error)
 *
 * It carries the intent id and acts on that intent only. `complete` and `fail`
 * are the initiator's writes (resolveIntent, REQ-RESOLVE-002); the handling agent
 * resumes instead. `client.intent(intentId)` is the handle of an existing intent.
 */
import type { AxmeClient, WaitForOptions } from "./client.js";
import type { RequestOptions } from "./transport.js";
import type { ObserveOptions } from "./observe.js";
import type { CreateIntentResponse, FailIntentError, Intent, IntentEvent, IntentWriteResponse, JsonObject } from "./models.js";

/** The error code `fail` sends when the caller gives none (resolveIntent's own default). */
export const DEFAULT_FAILURE_CODE = "failed";

export class IntentHandle {
  readonly intentId: string;
  /** The createIntent answer when the handle came from submitIntent. */
  readonly created: CreateIntentResponse | undefined;
  readonly #client: AxmeClient;

  constructor(client: AxmeClient, intentId: string, created?: CreateIntentResponse) {
    if (typeof intentId !== "string" || intentId === "") throw new TypeError("an intent handle needs an intent id");
    this.#client = client;
    this.intentId = intentId;
    this.created = created;
  }

  /** The intent as it is now. */
  async get(options?: RequestOptions): Promise<Intent> {
    return (await this.#client.getIntent(this.intentId, options)).intent;
  }

  /** The intent once terminal; WaitTimeoutError after `timeout` ms. */
  wait(options?: WaitForOptions): Promise<Intent> {
    return this.#client.waitFor(this.intentId, options);
  }

  /** Its events as they happen, ending with the terminal one. */
  observe(options?: ObserveOptions): AsyncIterable<IntentEvent> {
    return this.#client.observe(this.intentId, options);
  }

  /** Ends it COMPLETED with `result` (default `{}`). */
  complete(result: JsonObject = {}, options?: RequestOptions): Promise<IntentWriteResponse> {
    return this.#client.resolveIntent(this.intentId, { status: "COMPLETED", result }, options);
  }

  /** Ends it FAILED with `error` ({code?, message} or a message; code `failed` by default). */
  fail(error: FailIntentError | string, options?: RequestOptions): Promise<IntentWriteResponse> {
    const given = typeof error === "string" ? { message: error } : error;
    if (given === null || typeof given !== "object" || Array.isArray(given)) {
      return Promise.reject(new TypeError("fail: error must be a message or an object {code?, message}"));
    }
    const failure = { ...given, code: given.code || DEFAULT_FAILURE_CODE };
    return this.#client.resolveIntent(this.intentId, { status: "FAILED", error: failure }, options);
  }

  /** Cancels it (resolve with status CANCELED). */
  cancel(options?: RequestOptions & { reason?: string }): Promise<IntentWriteResponse> {
    return this.#client.cancelIntent(this.intentId, options);
  }

  toJSON(): { intentId: string } {
    return { intentId: this.intentId };
  }
}
