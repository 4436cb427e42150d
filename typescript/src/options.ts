/**
 * Option names each options object accepts. TypeScript callers already get a
 * compile error for a misspelt option (excess property check); these lists give
 * JavaScript callers the same: a TypeError before any request, never a silently
 * ignored option (REQ-CLIENT-007). Each `Record<keyof …>` fails to compile when
 * an interface gains or loses a member without this list following.
 */
import type { WaitForOptions } from "./client.js";
import type { AxmeClientOptions } from "./config.js";
import type { RequestOptions } from "./transport.js";
import type { ListenOptions, ServeOptions } from "./listen.js";
import type { ObserveOptions } from "./observe.js";
import type { RunAgentOptions } from "./run-agent.js";

type Names<T> = Record<keyof Required<T>, true>;

const REQUEST: Names<RequestOptions> = { signal: true, timeout: true, traceId: true, idempotencyKey: true, headers: true };
/** RequestOptions plus the members the write helpers take in the same object. */
const HELPER: Names<RequestOptions & { deliveryId: string; reason: string; comment: string; data: unknown; evidence: unknown }> = {
  ...REQUEST, deliveryId: true, reason: true, comment: true, data: true, evidence: true,
};
const STREAM = { signal: true, waitSeconds: true, idleTimeoutMs: true } as const;
const OBSERVE: Names<ObserveOptions> = { ...STREAM, since: true, untilTerminal: true, pollIntervalMs: true };
const LISTEN: Names<ListenOptions> = { ...STREAM, since: true };
const SERVE: Names<ServeOptions> = { ...LISTEN, maxDeliveries: true, leaseRenewalMs: true, onError: true };
const RUN_AGENT: Names<RunAgentOptions> = { ...SERVE, graceMs: true };
const WAIT_FOR: Names<WaitForOptions> = { timeout: true, signal: true, idleTimeoutMs: true };
const CLIENT: Names<AxmeClientOptions> = {
  apiKey: true, baseUrl: true, timeout: true, maxRetries: true, retryBaseDelay: true, fetch: true, logger: true,
};

export const KNOWN_OPTIONS = {
  request: REQUEST, helper: HELPER, observe: OBSERVE, listen: LISTEN, serve: SERVE, runAgent: RUN_AGENT, waitFor: WAIT_FOR, client: CLIENT,
} as const;

/** Throws TypeError naming the first member of `options` that `known` lacks. */
export function checkOptions(what: string, options: object | undefined | null, known: Record<string, true>): void {
  if (options === undefined || options === null) return;
  for (const name of Object.keys(options)) {
    if (!Object.prototype.hasOwnProperty.call(known, name)) {
      throw new TypeError(`${what}: unknown option "${name}" (known: ${Object.keys(known).join(", ")})`);
    }
  }
}

/** Only the transport options of a helper's option bag. */
export function transportOptions(options: RequestOptions | undefined): RequestOptions | undefined {
  if (!options) return undefined;
  checkOptions("options", options, KNOWN_OPTIONS.helper);
  const out: RequestOptions = {};
  if (options.signal !== undefined) out.signal = options.signal;
  if (options.timeout !== undefined) out.timeout = options.timeout;
  if (options.traceId !== undefined) out.traceId = options.traceId;
  if (options.idempotencyKey !== undefined) out.idempotencyKey = options.idempotencyKey;
  if (options.headers !== undefined) out.headers = options.headers;
  return out;
}
