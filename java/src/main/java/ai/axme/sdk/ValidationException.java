package ai.axme.sdk;

/** HTTP 422: the request is well-formed but fails validation. */
public class ValidationException extends AxmeApiException {
    private static final long serialVersionUID = 1L;

    /** @param info what the server said */
    public ValidationException(ApiErrorInfo info) {
        super(info);
    }
}
