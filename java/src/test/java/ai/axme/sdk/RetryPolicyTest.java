package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Backoff arithmetic and Retry-After parsing, with the randomness pinned. */
class RetryPolicyTest {
    @Test
    void backoffDoublesFromTheBaseAndIsCappedAt8Seconds() {
        RetryPolicy top = new RetryPolicy(2, Duration.ofMillis(500), () -> 0.999999);
        assertEquals(500, top.backoff(0).toMillis());
        assertEquals(1000, top.backoff(1).toMillis());
        assertEquals(2000, top.backoff(2).toMillis());
        assertEquals(8000, top.backoff(6).toMillis());
        assertEquals(8000, top.backoff(60).toMillis());
    }

    @Test
    void jitterScalesTheDelayBetweenHalfAndAll() {
        RetryPolicy bottom = new RetryPolicy(2, Duration.ofMillis(500), () -> 0.0);
        assertEquals(250, bottom.backoff(0).toMillis());
        assertEquals(4000, bottom.backoff(10).toMillis());
    }

    @Test
    void retryAfterWinsUpToTheCapAndAboveItIsNotWaited() {
        RetryPolicy policy = new RetryPolicy(2, Duration.ofMillis(500), () -> 0.5);
        assertEquals(Duration.ofSeconds(3), policy.delayBeforeRetry(0, Duration.ofSeconds(3)));
        assertEquals(Duration.ofSeconds(60), policy.delayBeforeRetry(0, Duration.ofSeconds(60)));
        assertNull(policy.delayBeforeRetry(0, Duration.ofSeconds(61)));
    }

    @Test
    void retryableStatuses() {
        for (int status : new int[] {408, 429, 500, 502, 503, 504}) {
            assertEquals(true, RetryPolicy.isRetryableStatus(status), "status " + status);
        }
        for (int status : new int[] {400, 401, 403, 404, 409, 413, 422, 501, 505}) {
            assertEquals(false, RetryPolicy.isRetryableStatus(status), "status " + status);
        }
    }

    @Test
    void parsesRetryAfterSecondsAndHttpDates() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
        assertEquals(Duration.ofSeconds(2), RetryAfter.parse("2", clock));
        assertEquals(Duration.ofMillis(1500), RetryAfter.parse(" 1.5 ", clock));
        assertEquals(Duration.ofSeconds(30), RetryAfter.parse("Sat, 21 Nov 2026 10:00:30 GMT", clock));
        assertEquals(Duration.ZERO, RetryAfter.parse("Sat, 21 Nov 2026 09:00:00 GMT", clock));
        assertNull(RetryAfter.parse("soon", clock));
        assertNull(RetryAfter.parse("-1", clock));
        assertNull(RetryAfter.parse(null, clock));
    }
}
