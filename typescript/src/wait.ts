/**
 * One wait on one intent with one request (REQ-WAIT-005): the event stream asked
 * for its `stream.intent` frames carries the intent when it opens and once it is
 * terminal (REQ-SSE-016), so no getIntent is needed before or after.
 */
import { observeEvents, type ObserveOptions } from "./observe.js";
import type { StreamContext } from "./sse.js";
import { isTerminalStatus, type Intent } from "./models.js";

/**
 * Streams until the intent is terminal and returns it, or null when the server
 * sent no terminal `stream.intent` frame (an older server): the caller then reads
 * the intent once. `onStatus` sees every status on the way (for WaitTimeoutError).
 */
export async function waitOnStream(
  ctx: StreamContext,
  intentId: string,
  options: ObserveOptions,
  onStatus: (status: string) => void,
): Promise<Intent | null> {
  let latest: Intent | null = null;
  const onIntent = (intent: Intent) => {
    latest = intent;
    onStatus(intent.status);
  };
  for await (const event of observeEvents(ctx, intentId, { ...options, since: 0 }, onIntent)) onStatus(event.status);
  const final = latest as Intent | null;
  return final !== null && isTerminalStatus(final.status) ? final : null;
}
