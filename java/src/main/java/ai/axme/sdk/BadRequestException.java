package ai.axme.sdk;

/** HTTP 400 (or another 4xx without a dedicated class, such as 405 or 413). */
public class BadRequestException extends AxmeApiException {
    private static final long serialVersionUID = 1L;

    /** @param info what the server said */
    public BadRequestException(ApiErrorInfo info) {
        super(info);
    }
}
