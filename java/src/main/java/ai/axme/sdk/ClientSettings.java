package ai.axme.sdk;

import java.net.URI;
import java.time.Duration;

/** The immutable configuration an {@link AxmeClient} was built with. */
record ClientSettings(
        URI baseUrl,
        String apiKey,
        Duration timeout,
        RetryPolicy retryPolicy,
        Duration streamIdleTimeout,
        Duration pollInterval) {
}
