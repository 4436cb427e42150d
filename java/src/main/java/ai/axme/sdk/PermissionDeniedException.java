package ai.axme.sdk;

/** HTTP 403: the key may not do this. */
public class PermissionDeniedException extends AxmeApiException {
    private static final long serialVersionUID = 1L;

    /** @param info what the server said */
    public PermissionDeniedException(ApiErrorInfo info) {
        super(info);
    }
}
