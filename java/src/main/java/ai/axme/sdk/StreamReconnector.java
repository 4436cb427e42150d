package ai.axme.sdk;

import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Paces stream reconnects: counts consecutive connections that produced nothing, waits a
 * jittered exponential delay between them (never zero, so never a tight loop) and gives up
 * after the configured number of failures in a row.
 */
final class StreamReconnector {
    private static final System.Logger LOG = System.getLogger("ai.axme.sdk");

    private final RetryPolicy policy;
    private final int limit;
    private int failures;

    /** @param limit consecutive failures tolerated before StreamException; negative means unlimited (listeners) */
    StreamReconnector(RetryPolicy policy, int limit) {
        this.policy = policy;
        this.limit = limit;
    }

    static boolean isStreamMissing(int status) {
        return status == 404 || status == 405 || status == 501;
    }

    void progressed() {
        failures = 0;
    }

    Duration quickCloseDelay() {
        return atLeastOneMilli(policy.backoff(0));
    }

    /** Records a failure; returns the delay before the next attempt or throws once the limit is passed. */
    Duration failed(String reason, AxmeException error) {
        failures++;
        if (limit >= 0 && failures > limit) {
            throw new StreamException("stream could not be resumed after " + failures + " failed attempts: " + reason, error);
        }
        Duration delay = atLeastOneMilli(policy.backoff(Math.min(failures - 1, 10)));
        LOG.log(Level.INFO, "stream {0}; reconnecting in {1} ms", reason, delay.toMillis());
        return delay;
    }

    /** A connect answered non-2xx: raise what retrying cannot fix, else pace (honouring Retry-After). */
    Duration afterApiError(AxmeApiException error) {
        if (!RetryPolicy.isRetryableStatus(error.status())) {
            throw error;
        }
        Duration retryAfter = error.retryAfter();
        if (retryAfter != null && retryAfter.compareTo(RetryPolicy.MAX_RETRY_AFTER) > 0) {
            throw error;
        }
        Duration backoff = failed("answered " + error.status(), error);
        return retryAfter != null ? retryAfter : backoff;
    }

    private static Duration atLeastOneMilli(Duration delay) {
        return delay.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : delay;
    }
}
