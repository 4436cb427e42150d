package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * waitFor: one event stream with {@code include_intent=true} until a terminal event; the intent
 * comes from its {@code stream.intent} frames (REQ-WAIT-005). The deadline closes the stream, so
 * a silent server cannot hold the caller past it.
 */
final class Waiter {
    private final ClientResources resources;
    private final RawAxmeClient raw;

    Waiter(ClientResources resources, RawAxmeClient raw) {
        this.resources = resources;
        this.raw = raw;
    }

    RawResponse waitFor(String intentId, Deadline deadline) {
        RawResponse current = waitOne(intentId, deadline);
        // a retried FAILED/TIMED_OUT intent leads to its last attempt (REQ-REATTEMPT-008)
        for (String next = retriedBy(current); next != null; next = retriedBy(current)) {
            current = waitOne(next, deadline);
        }
        return current;
    }

    /** The attempt that retried this FAILED/TIMED_OUT intent ({@code retried_by}), or null. */
    static String retriedBy(RawResponse response) {
        JsonNode intent = response.body().path("intent");
        String status = intent.path("status").asText("");
        JsonNode next = intent.path("retried_by");
        return ("FAILED".equals(status) || "TIMED_OUT".equals(status)) && next.isTextual() ? next.asText() : null;
    }

    /**
     * One request (REQ-WAIT-005): the stream's {@code stream.intent} frames carry the intent when it
     * opens and once it is terminal. A server that sends none (an older one) costs one read after
     * the terminal event.
     */
    private RawResponse waitOne(String intentId, Deadline deadline) {
        while (true) {
            IntentEventFeed feed = new IntentEventFeed(resources.core(), resources.watchdog(), intentId, 0, deadline, true)
                    .includeIntent();
            ScheduledFuture<?> guard = deadline.isBounded()
                    ? resources.scheduler().schedule(feed::close, deadline.remaining().toMillis() + 50, TimeUnit.MILLISECONDS)
                    : null;
            try {
                while (feed.next() != null) {
                    continue; // drain until the terminal event (next() then returns null) or the deadline
                }
            } finally {
                if (guard != null) {
                    guard.cancel(false);
                }
                feed.close();
            }
            if (deadline.expired()) {
                throw new WaitTimeoutException(intentId, deadline.timeout(), feed.lastStatus());
            }
            JsonNode frame = feed.intentFrame();
            RawResponse current = frame != null && Terminal.isTerminal(frame.path("intent").path("status").asText(null))
                    ? new RawResponse(200, Map.of(), frame, null, resources.core().mapper())
                    : raw.getIntent(intentId);
            if (isTerminal(current)) {
                return current;
            }
        }
    }

    private static boolean isTerminal(RawResponse response) {
        return Terminal.isTerminal(response.body().path("intent").path("status").asText(null));
    }
}
