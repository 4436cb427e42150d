package ai.axme.sdk;

import java.time.Duration;

/** The server answered with a non-2xx status. Subclasses name the status family. */
public class AxmeApiException extends AxmeException {
    private static final long serialVersionUID = 1L;
    private final ApiErrorInfo info;

    /** @param info what the server said */
    public AxmeApiException(ApiErrorInfo info) {
        super(info.status() + " " + info.code() + ": " + info.message());
        this.info = info;
    }

    /** @return every detail of the error */
    public ApiErrorInfo info() {
        return info;
    }

    /** @return HTTP status code */
    public int status() {
        return info.status();
    }

    /** @return stable error code from the envelope */
    public String code() {
        return info.code();
    }

    /**
     * @return what the server said, unformatted: the envelope's {@code error.message}, or the first
     *     200 characters of a body that is not an envelope ({@link #getMessage()} adds status and code)
     */
    public String message() {
        return info.message();
    }

    /** @return error category from the envelope, may be null */
    public String category() {
        return info.category();
    }

    /** @return whether the server marked the error retryable */
    public boolean retryable() {
        return info.retryable();
    }

    /** @return the {@code X-Request-Id} of the failed response, may be null */
    public String requestId() {
        return info.requestId();
    }

    /** @return the trace id sent with the request */
    public String traceId() {
        return info.traceId();
    }

    /** @return the parsed {@code Retry-After}, or null */
    public Duration retryAfter() {
        return info.retryAfter();
    }

    /** @return the raw response body */
    public String body() {
        return info.body();
    }
}
