/**
 * Incremental Server-Sent Events parser following the WHATWG EventSource
 * rules: LF, CRLF and lone CR line endings (also split across chunks), `:`
 * comments, exactly one leading space stripped from values, multi-line data
 * joined with LF, sticky last event id (ignored when it contains NUL),
 * `retry:` only when all ASCII digits, a leading BOM ignored, and an event not
 * terminated by a blank line dropped at end of stream.
 *
 * It is fed text as it arrives, so callers can yield each event the moment
 * its terminating blank line is read.
 */

export interface ServerSentEvent {
  /** The last event id at dispatch time; null if the stream never set one. */
  id: string | null;
  /** The `event:` field, "message" when absent. */
  event: string;
  data: string;
}

export class SseParser {
  /** The last valid `retry:` value in milliseconds, null if none was seen. */
  retryMs: number | null = null;
  /** The last event id seen (sticky across events), null if none was set. */
  lastEventId: string | null = null;

  private partialLine = "";
  private pendingCr = false;
  private atStreamStart = true;
  private eventType = "";
  private dataBuffer = "";

  /** Consumes a chunk of decoded text and returns the events it completed. */
  feed(chunk: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    let text = chunk;
    if (this.atStreamStart && text.length > 0) {
      this.atStreamStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    // A CR that ended the previous chunk may be the first half of a CRLF.
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.startsWith("\n")) start = 1;
    }
    for (let i = start; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch !== 0x0a && ch !== 0x0d) continue;
      const line = this.partialLine + text.slice(start, i);
      this.partialLine = "";
      if (ch === 0x0d) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 0x0a) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
      this.processLine(line, events);
    }
    this.partialLine += text.slice(start);
    return events;
  }

  /** End of stream: an unterminated event is discarded, per the spec. */
  end(): void {
    this.partialLine = "";
    this.pendingCr = false;
    this.dataBuffer = "";
    this.eventType = "";
  }

  private processLine(line: string, events: ServerSentEvent[]): void {
    if (line === "") {
      this.dispatch(events);
      return;
    }
    if (line.startsWith(":")) return; // comment (keepalive)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.dataBuffer += value + "\n";
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) this.retryMs = Number.parseInt(value, 10);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(events: ServerSentEvent[]): void {
    const data = this.dataBuffer;
    const type = this.eventType;
    this.dataBuffer = "";
    this.eventType = "";
    if (data === "") return;
    events.push({ id: this.lastEventId, event: type === "" ? "message" : type, data: data.slice(0, -1) });
  }
}

/**
 * Yields the events of a byte stream as each one completes. UTF-8 is decoded
 * with `stream: true` so a multi-byte character split across chunks survives.
 * Reading stops (and the body is cancelled) when the consumer stops iterating.
 */
export async function* parseSseStream(
  body: ReadableStream<Uint8Array>,
  parser: SseParser = new SseParser(),
  onChunk?: () => void,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      onChunk?.();
      for (const event of parser.feed(decoder.decode(value, { stream: true }))) yield event;
    }
    for (const event of parser.feed(decoder.decode())) yield event;
    parser.end();
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
