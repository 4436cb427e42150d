package ai.axme.sdk;

/** HTTP 401: the API key is missing, wrong, revoked or expired. */
public class AuthenticationException extends AxmeApiException {
    private static final long serialVersionUID = 1L;

    /** @param info what the server said */
    public AuthenticationException(ApiErrorInfo info) {
        super(info);
    }
}
