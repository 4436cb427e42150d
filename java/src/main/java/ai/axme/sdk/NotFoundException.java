package ai.axme.sdk;

/** HTTP 404. */
public class NotFoundException extends AxmeApiException {
    private static final long serialVersionUID = 1L;

    /** @param info what the server said */
    public NotFoundException(ApiErrorInfo info) {
        super(info);
    }
}
