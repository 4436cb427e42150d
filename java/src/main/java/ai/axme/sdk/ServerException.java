package ai.axme.sdk;

/** HTTP 5xx. */
public class ServerException extends AxmeApiException {
    private static final long serialVersionUID = 1L;

    /** @param info what the server said */
    public ServerException(ApiErrorInfo info) {
        super(info);
    }
}
