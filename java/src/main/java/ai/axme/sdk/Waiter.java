package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * waitFor: read the intent; if it is not terminal yet, follow its events from its last seq until
 * a terminal one, then read it again. The deadline closes the stream, so a silent server cannot
 * hold the caller past it.
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

    private RawResponse waitOne(String intentId, Deadline deadline) {
        RawResponse current = raw.getIntent(intentId);
        while (!isTerminal(current)) {
            long since = current.body().path("intent").path("last_seq").asLong(0);
            IntentEventFeed feed = new IntentEventFeed(resources.core(), resources.watchdog(), intentId, since, deadline, true);
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
            current = raw.getIntent(intentId);
        }
        return current;
    }

    private static boolean isTerminal(RawResponse response) {
        return Terminal.isTerminal(response.body().path("intent").path("status").asText(null));
    }
}
