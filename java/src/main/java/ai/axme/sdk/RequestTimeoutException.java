package ai.axme.sdk;

/**
 * The server answered 408: a timeout (REQ-ERR-012), so it is an {@link AxmeTimeoutException} and
 * is retried like one, but it still carries what the server said ({@link #info()}: status, code,
 * request id, {@code Retry-After}, body).
 */
public class RequestTimeoutException extends AxmeTimeoutException {
    private static final long serialVersionUID = 1L;
    private final ApiErrorInfo info;

    /** @param info what the server said */
    public RequestTimeoutException(ApiErrorInfo info) {
        super(info.status() + " " + info.code() + ": " + info.message(), null);
        this.info = info;
    }

    /** @return every detail of the response, as on {@link AxmeApiException#info()} */
    public ApiErrorInfo info() {
        return info;
    }
}
