package ai.axme.sdk;

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
