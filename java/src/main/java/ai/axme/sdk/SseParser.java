package ai.axme.sdk;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Incremental WHATWG EventSource parser over a byte stream: returns each event as soon as its
 * terminating blank line has arrived. Lines end at CRLF, LF or a lone CR; a leading BOM is skipped;
 * an event cut off by end of stream is dropped.
 */
final class SseParser {
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private boolean sawData;
    private String eventType = "";
    private String lastEventId;
    private Long retryMs;
    private boolean atStart = true;
    private boolean afterCr;

    SseParser(InputStream in) {
        this.in = in;
    }

    /** @return the last valid {@code retry:} value in milliseconds, or null */
    Long retryMs() {
        return retryMs;
    }

    /** @return the last event id seen so far (what a reconnect sends as {@code Last-Event-ID}) */
    String lastEventId() {
        return lastEventId;
    }

    /** Blocks until the next event is complete; returns null at end of stream. */
    SseEvent next() throws IOException {
        String text;
        while ((text = readLine()) != null) {
            if (text.isEmpty()) {
                SseEvent event = dispatch();
                if (event != null) {
                    return event;
                }
            } else {
                processField(text);
            }
        }
        return null;
    }

    private SseEvent dispatch() {
        String type = eventType.isEmpty() ? "message" : eventType;
        eventType = "";
        if (!sawData) {
            data.setLength(0);
            return null;
        }
        String payload = data.toString();
        data.setLength(0);
        sawData = false;
        return new SseEvent(lastEventId, type, payload);
    }

    private void processField(String text) {
        if (text.charAt(0) == ':') {
            return; // comment, e.g. keepalive
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data":
                if (sawData) {
                    data.append('\n');
                }
                data.append(value);
                sawData = true;
                break;
            case "event":
                eventType = value;
                break;
            case "id":
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                }
                break;
            case "retry":
                if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    try {
                        retryMs = Long.parseLong(value);
                    } catch (NumberFormatException tooLarge) {
                        // digits only but beyond long: ignore like any invalid value
                    }
                }
                break;
            default:
                break; // unknown fields are ignored
        }
    }

    /** Reads one line without its terminator; null at end of stream (a partial last line is dropped). */
    private String readLine() throws IOException {
        line.reset();
        while (true) {
            int b = read();
            if (b < 0) {
                return null;
            }
            if (afterCr) {
                afterCr = false;
                if (b == '\n') {
                    continue; // second half of CRLF; never wait for it, so a CR line dispatches at once
                }
            }
            if (b == '\n') {
                return decode();
            }
            if (b == '\r') {
                afterCr = true;
                return decode();
            }
            line.write(b);
        }
    }

    private int read() throws IOException {
        int b = in.read();
        if (atStart) {
            atStart = false;
            if (b == 0xEF) {
                return skipBom();
            }
        }
        return b;
    }

    private int skipBom() throws IOException {
        int second = in.read();
        int third = second == 0xBB ? in.read() : -1;
        if (second == 0xBB && third == 0xBF) {
            return in.read();
        }
        // Not a BOM after all: replay what we consumed.
        line.write(0xEF);
        if (second == 0xBB) {
            line.write(second);
            return third;
        }
        return second;
    }

    private String decode() {
        return line.toString(StandardCharsets.UTF_8);
    }
}
