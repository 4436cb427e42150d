package ai.axme.sdk;

/** HTTP 409: idempotency conflict, invalid transition, terminal intent or stale delivery. */
public class ConflictException extends AxmeApiException {
    private static final long serialVersionUID = 1L;

    /** @param info what the server said */
    public ConflictException(ApiErrorInfo info) {
        super(info);
    }
}
