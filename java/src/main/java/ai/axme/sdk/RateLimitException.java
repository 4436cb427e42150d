package ai.axme.sdk;

/** HTTP 429: see {@link #retryAfter()}. */
public class RateLimitException extends AxmeApiException {
    private static final long serialVersionUID = 1L;

    /** @param info what the server said */
    public RateLimitException(ApiErrorInfo info) {
        super(info);
    }
}
