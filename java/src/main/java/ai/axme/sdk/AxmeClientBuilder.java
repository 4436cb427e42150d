package ai.axme.sdk;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Configures an {@link AxmeClient}. Unset values fall back to {@code AXME_API_KEY},
 * {@code AXME_BASE_URL}, then the profile {@code axme login} saved ({@link Profile#path()}), and the documented defaults (30 s timeout, 2 retries, 0.5 s backoff base,
 * 45 s stream idle timeout).
 */
public final class AxmeClientBuilder {
    /** The public AXME endpoint, used when neither {@link #baseUrl(String)} nor AXME_BASE_URL is set. */
    public static final String DEFAULT_BASE_URL = "https://api.cloud.axme.ai";

    private String apiKey;
    private String baseUrl;
    private Duration timeout = Duration.ofSeconds(30);
    private int maxRetries = 2;
    private Duration retryBaseDelay = RetryPolicy.DEFAULT_BASE_DELAY;
    private Duration streamIdleTimeout = Duration.ofSeconds(45);
    private Duration pollInterval = Duration.ofSeconds(1);
    /** The profile file; tests point it elsewhere because Java cannot change its own environment. */
    Path profileFile = Profile.path();

    AxmeClientBuilder() {
    }

    /**
     * @param apiKey the API key ({@code axme_<kind>_…})
     * @return this builder
     */
    public AxmeClientBuilder apiKey(String apiKey) {
        this.apiKey = apiKey;
        return this;
    }

    /**
     * @param baseUrl e.g. {@code http://127.0.0.1:8787}
     * @return this builder
     */
    public AxmeClientBuilder baseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
        return this;
    }

    /**
     * @param timeout per-attempt timeout of a plain request
     * @return this builder
     */
    public AxmeClientBuilder timeout(Duration timeout) {
        this.timeout = positive(timeout, "timeout");
        return this;
    }

    /**
     * @param maxRetries retries after the first attempt (0 disables retrying)
     * @return this builder
     */
    public AxmeClientBuilder maxRetries(int maxRetries) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
        this.maxRetries = maxRetries;
        return this;
    }

    /**
     * @param retryBaseDelay first backoff delay; later ones double up to 8 s
     * @return this builder
     */
    public AxmeClientBuilder retryBaseDelay(Duration retryBaseDelay) {
        if (retryBaseDelay == null || retryBaseDelay.isNegative()) {
            throw new IllegalArgumentException("retryBaseDelay must be >= 0");
        }
        this.retryBaseDelay = retryBaseDelay;
        return this;
    }

    /**
     * @param streamIdleTimeout reconnect a stream silent (no keepalive) for this long
     * @return this builder
     */
    public AxmeClientBuilder streamIdleTimeout(Duration streamIdleTimeout) {
        this.streamIdleTimeout = positive(streamIdleTimeout, "streamIdleTimeout");
        return this;
    }

    /**
     * @param pollInterval interval of observe's polling fallback
     * @return this builder
     */
    public AxmeClientBuilder pollInterval(Duration pollInterval) {
        this.pollInterval = positive(pollInterval, "pollInterval");
        return this;
    }

    /**
     * @return the client
     * @throws IllegalArgumentException when no API key is configured or the base URL is not http(s)
     */
    public AxmeClient build() {
        // Each member: given, else the environment, else the profile `axme login` saved (read only when
        // needed), else the default (REQ-CLIENT-001, REQ-CLIENT-008).
        String key = firstNonBlank(apiKey, System.getenv("AXME_API_KEY"));
        String url = firstNonBlank(baseUrl, System.getenv("AXME_BASE_URL"));
        if (key == null || url == null) {
            Profile profile = Profile.read(profileFile);
            key = key != null ? key : profile.apiKey();
            url = url != null ? url : profile.baseUrl();
        }
        if (key == null) {
            throw new IllegalArgumentException("AxmeClient needs an API key: call apiKey(…), set AXME_API_KEY or run "
                    + "`axme login` (profile: " + profileFile + ")");
        }
        if (url == null) {
            url = DEFAULT_BASE_URL;
        }
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("baseUrl must start with http:// or https://, got " + url);
        }
        URI base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        ClientSettings settings = new ClientSettings(base, key, timeout, new RetryPolicy(maxRetries, retryBaseDelay),
                streamIdleTimeout, pollInterval);
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        return new AxmeClient(new ClientResources(new Transport(settings, http, Json.newMapper())), RequestOptions.NONE, true);
    }

    private static String firstNonBlank(String given, String environment) {
        if (given != null && !given.isBlank()) {
            return given.strip();
        }
        return environment != null && !environment.isBlank() ? environment.strip() : null;
    }

    private static Duration positive(Duration value, String name) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be > 0");
        }
        return value;
    }
}
