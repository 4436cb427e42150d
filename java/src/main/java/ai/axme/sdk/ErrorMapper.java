package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/** Turns a non-2xx response into the matching {@link AxmeApiException} subclass (408: {@link RequestTimeoutException}). */
final class ErrorMapper {
    private final ObjectMapper mapper;
    private final Clock clock;

    ErrorMapper(ObjectMapper mapper, Clock clock) {
        this.mapper = mapper;
        this.clock = clock;
    }

    AxmeException toException(int status, HttpHeaders headers, byte[] body, String traceId) {
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        JsonNode error = parseErrorObject(text);
        String code = textOr(error, "code", "http_" + status);
        // Not an envelope (a proxy's HTML page): the first 200 characters (REQ-ERR-013).
        String fallbackMessage = text.isBlank() ? "HTTP " + status : text.substring(0, Math.min(200, text.length()));
        String message = textOr(error, "message", error == null ? fallbackMessage : "HTTP " + status);
        String category = textOr(error, "category", null);
        boolean retryable = error != null && error.path("retryable").isBoolean()
                ? error.path("retryable").asBoolean()
                : status == 408 || status == 429 || status >= 500; // REQ-ERR-004
        Duration retryAfter = RetryAfter.parse(headers.firstValue("Retry-After").orElse(null), clock);
        String requestId = headers.firstValue("X-Request-Id").orElse(null);
        ApiErrorInfo info = new ApiErrorInfo(
                status, code, category, retryable, message, requestId, traceId, retryAfter, text);
        return forStatus(info);
    }

    static AxmeException forStatus(ApiErrorInfo info) {
        int status = info.status();
        switch (status) {
            case 408:
                return new RequestTimeoutException(info);
            case 401:
                return new AuthenticationException(info);
            case 403:
                return new PermissionDeniedException(info);
            case 404:
                return new NotFoundException(info);
            case 409:
                return new ConflictException(info);
            case 422:
                return new ValidationException(info);
            case 429:
                return new RateLimitException(info);
            default:
                return status >= 500 ? new ServerException(info) : new BadRequestException(info);
        }
    }

    /** @return what the server said behind an error from {@link #toException}, or null for other errors */
    static ApiErrorInfo infoOf(Throwable error) {
        if (error instanceof AxmeApiException) {
            return ((AxmeApiException) error).info();
        }
        return error instanceof RequestTimeoutException ? ((RequestTimeoutException) error).info() : null;
    }

    private JsonNode parseErrorObject(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            JsonNode root = mapper.readTree(text);
            JsonNode error = root == null ? null : root.get("error");
            return error != null && error.isObject() ? error : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String textOr(JsonNode node, String field, String fallback) {
        if (node == null || !node.path(field).isTextual()) {
            return fallback;
        }
        return node.get(field).asText();
    }
}
