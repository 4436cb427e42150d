package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The engine behind {@link EventStream}: follows one intent's events over SSE until a terminal
 * one, resuming with {@code since} and {@code Last-Event-ID} after drops, idle timeouts and
 * {@code stream.timeout} frames, never yielding a sequence number twice. Falls back to polling
 * {@code /events} only when the stream endpoint itself is missing (404/405/501 on connect).
 */
final class IntentEventFeed {
    private static final System.Logger LOG = System.getLogger("ai.axme.sdk");
    private static final long QUICK_CLOSE_NANOS = Duration.ofSeconds(1).toNanos();

    private final Transport core;
    private final IdleWatchdog watchdog;
    private final String intentId;
    private final Deadline deadline;
    private final boolean untilTerminal;
    private final StreamReconnector reconnector;
    private final Deque<JsonNode> polled = new ArrayDeque<>();
    private long cursor;
    private String lastStatus;
    private boolean polling;
    private boolean finished;
    private volatile boolean closed;
    private volatile SseConnection connection;
    private long connectedAt;
    private boolean includeIntent;
    private JsonNode intentFrame;

    IntentEventFeed(Transport core, IdleWatchdog watchdog, String intentId, long since, Deadline deadline,
            boolean untilTerminal) {
        this.core = core;
        this.watchdog = watchdog;
        this.intentId = intentId;
        this.cursor = since;
        this.deadline = deadline;
        this.untilTerminal = untilTerminal;
        // REQ-OBSERVE-006: max(max_retries, 5) + 1 failed connections in a row end the stream.
        this.reconnector = new StreamReconnector(core.settings().retryPolicy(),
                Math.max(core.settings().retryPolicy().maxRetries(), 5));
    }

    String lastStatus() {
        return lastStatus;
    }

    String intentId() {
        return intentId;
    }

    /**
     * waitFor: ask for the {@code stream.intent} frames (REQ-SSE-016) and, after the terminal
     * event, read the connection to its end, where the final intent comes.
     */
    IntentEventFeed includeIntent() {
        includeIntent = true;
        return this;
    }

    /** The data ({@code {"intent": …}}) of the last {@code stream.intent} frame, or null. */
    JsonNode intentFrame() {
        return intentFrame;
    }

    /**
     * Blocks for the next new event; null once a terminal event was yielded or the feed was closed.
     *
     * @throws WaitTimeoutException when the deadline passes first
     */
    JsonNode next() {
        while (!finished && !closed) {
            checkDeadline();
            JsonNode event = polling ? nextPolled() : nextStreamed();
            if (event != null) {
                return accept(event);
            }
        }
        return null;
    }

    void close() {
        closed = true;
        disconnect();
    }

    private JsonNode accept(JsonNode event) {
        cursor = event.path("seq").asLong(cursor);
        lastStatus = event.path("status").asText(null);
        reconnector.progressed();
        if (untilTerminal && Terminal.isTerminal(lastStatus)) {
            finished = true;
            if (includeIntent) {
                readFinalIntent();
            }
            disconnect();
        }
        return event;
    }

    /** One step of the streaming state machine; null means "nothing to yield yet, loop again". */
    private JsonNode nextStreamed() {
        if (connection == null && !connect()) {
            return null;
        }
        SseConnection open = connection;
        if (open == null) {
            return null; // closed while connecting
        }
        SseEvent frame;
        try {
            frame = open.next();
        } catch (IOException dropped) {
            Transport.ensureNotCancelled();
            if (closed) {
                return null;
            }
            String reason = open.idleTimedOut() ? "idle timeout" : "connection lost (" + dropped + ")";
            disconnect();
            pauseUnlessClosed(reconnector.failed(reason, null));
            return null;
        }
        if (frame == null) {
            disconnect();
            if (closed) {
                return null;
            }
            pauseUnlessClosed(reconnector.failed("stream ended before a terminal event", null));
            return null;
        }
        if ("stream.timeout".equals(frame.event())) {
            // The long poll elapsed: reconnect at once from next_seq - 1 (REQ-OBSERVE-004), unless
            // the server closes immediately, which would otherwise become a tight loop.
            long nextSeq = Json.parse(core.mapper(), frame.data()).path("next_seq").asLong(cursor + 1);
            cursor = Math.max(cursor, nextSeq - 1);
            boolean quick = System.nanoTime() - connectedAt < QUICK_CLOSE_NANOS;
            disconnect();
            if (quick) {
                pauseUnlessClosed(reconnector.quickCloseDelay());
            }
            return null;
        }
        if (includeIntent && "stream.intent".equals(frame.event())) {
            intentFrame = parseIntentFrame(frame);
            if (Terminal.isTerminal(intentFrame.path("intent").path("status").asText(null))) {
                finished = true; // the wait is over (REQ-SSE-016): the intent was already terminal
                disconnect();
            }
            return null;
        }
        if (!frame.event().startsWith("intent.")) {
            return null;
        }
        JsonNode event = Json.parse(core.mapper(), frame.data());
        if (!event.path("seq").canConvertToLong()) {
            throw new StreamException("event without a seq: " + frame.data(), null);
        }
        return event.path("seq").asLong() > cursor ? event : null; // replays after a reconnect are skipped
    }

    private JsonNode parseIntentFrame(SseEvent frame) {
        JsonNode data = Json.parse(core.mapper(), frame.data());
        if (!data.path("intent").path("status").isTextual()) {
            throw new StreamException("malformed stream.intent frame: " + frame.data(), null);
        }
        return data;
    }

    /** What follows the terminal event: the final stream.intent frame, then the end (an older
     * server or a broken connection just ends; intentFrame then stays as it was). */
    private void readFinalIntent() {
        SseConnection open = connection;
        try {
            for (SseEvent frame = open == null ? null : open.next(); frame != null; frame = open.next()) {
                if ("stream.intent".equals(frame.event())) {
                    intentFrame = parseIntentFrame(frame);
                    return;
                }
            }
        } catch (IOException dropped) {
            LOG.log(Level.DEBUG, "event stream ended after the terminal event: {0}", dropped.toString());
        }
    }

    private boolean connect() {
        ApiRequest request = ApiRequest.get("/v1/intents/" + ApiRequest.encode(intentId) + "/events/stream")
                .header("Cache-Control", "no-store");
        if (deadline.isBounded()) {
            long seconds = Math.max(1, Math.min(300, (deadline.remaining().toMillis() + 999) / 1000));
            request.query("wait_seconds", seconds);
        }
        if (cursor > 0) {
            request.query("since", cursor).header("Last-Event-ID", Long.toString(cursor));
        }
        if (includeIntent) {
            request.query("include_intent", "true");
        }
        try {
            connectedAt = System.nanoTime();
            connection = SseConnection.open(core, watchdog, request, core.settings().streamIdleTimeout());
            if (closed) {
                disconnect();
            }
            return true;
        } catch (AxmeApiException error) {
            if (StreamReconnector.isStreamMissing(error.status()) && !"intent_not_found".equals(error.code())) {
                LOG.log(Level.INFO, "event stream unavailable ({0}); polling /events", error.status());
                polling = true;
                return false;
            }
            pauseUnlessClosed(reconnector.afterApiError(error));
            return false;
        } catch (AxmeConnectionException error) {
            pauseUnlessClosed(reconnector.failed(error.getMessage(), error));
            return false;
        }
    }

    private JsonNode nextPolled() {
        if (!polled.isEmpty()) {
            return polled.poll();
        }
        ApiRequest request = ApiRequest.get("/v1/intents/" + ApiRequest.encode(intentId) + "/events")
                .query("since", cursor);
        for (JsonNode event : core.call(request).body().path("events")) {
            if (event.path("seq").asLong(-1) > cursor) {
                polled.add(event);
            }
        }
        if (polled.isEmpty()) {
            pauseUnlessClosed(core.settings().pollInterval());
        }
        return polled.poll();
    }

    private void checkDeadline() {
        if (deadline.expired()) {
            disconnect();
            throw new WaitTimeoutException(intentId, deadline.timeout(), lastStatus);
        }
    }

    private void pauseUnlessClosed(Duration delay) {
        if (!closed) {
            Sleeper.sleep(deadline.clamp(delay), "waiting to reconnect the event stream");
        }
    }

    private void disconnect() {
        SseConnection open = connection;
        connection = null;
        if (open != null) {
            open.close();
        }
    }
}
