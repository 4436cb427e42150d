/**
 * runAgent (REQ-LISTEN-007): serve until the process gets SIGINT or SIGTERM
 * (or the caller's signal aborts), then take no further delivery, give the
 * handler in hand `graceMs` to finish and send its result, abandon it unsent
 * after that (REQ-LISTEN-004: the lease expires and the server redelivers),
 * remove the signal listeners and resolve with the number handled.
 */
import { serveUntil, type AgentOperations, type DeliveryHandler, type ServeOptions } from "./listen.js";

/** How long the handler in hand may go on after the stop, by default. */
export const DEFAULT_GRACE_MS = 10_000;
const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

export interface RunAgentOptions extends ServeOptions {
  /** How long the handler in hand may finish and send after the stop (default 10 000; 0 = abandon it at once). */
  graceMs?: number;
}

export async function runAgentLoop(
  ops: AgentOperations,
  address: string,
  handler: DeliveryHandler,
  options: RunAgentOptions = {},
): Promise<number> {
  const { graceMs = DEFAULT_GRACE_MS, signal, ...serveOptions } = options;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new TypeError(`runAgent: graceMs must be a finite number >= 0 (got ${graceMs})`);
  const taking = new AbortController();
  const handling = new AbortController();
  let grace: ReturnType<typeof setTimeout> | undefined;
  // When idle, the abort of `taking` ends the loop at once and the timer is cleared below.
  const stop = () => {
    if (taking.signal.aborted) return;
    taking.abort();
    grace = setTimeout(() => handling.abort(), graceMs);
  };
  // Listening makes Node leave the signal to us (its default ends the process); a
  // second SIGINT or SIGTERM, after `once` removed ours, ends the process at once.
  for (const name of STOP_SIGNALS) process.once(name, stop);
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  try {
    return await serveUntil(ops, address, handler, serveOptions, { taking: taking.signal, handling: handling.signal });
  } finally {
    for (const name of STOP_SIGNALS) process.removeListener(name, stop);
    signal?.removeEventListener("abort", stop);
    clearTimeout(grace);
    handling.abort(); // a lease renewal or write still in flight stops with us
  }
}
