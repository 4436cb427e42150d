package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/** Turns a non-2xx response into the matching {@link AxmeApiException} subclass. */
final class ErrorMapper {
    private final ObjectMapper mapper;
    private final Clock clock;

    ErrorMapper(ObjectMapper mapper, Clock clock) {
        this.mapper = mapper;
        this.clock = clock;
    }

    AxmeApiException toException(int status, HttpHeaders headers, byte[] body, String traceId) {
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        JsonNode error = parseErrorObject(text);
        String code = textOr(error, "code", "http_" + status);
        String message = textOr(error, "message", text.isBlank() ? "HTTP " + status : text);
        String category = textOr(error, "category", null);
        boolean retryable = error != null && error.path("retryable").isBoolean()
                ? error.path("retryable").asBoolean()
                : RetryPolicy.isRetryableStatus(status);
        Duration retryAfter = RetryAfter.parse(headers.firstValue("Retry-After").orElse(null), clock);
        String requestId = headers.firstValue("X-Request-Id").orElse(null);
        ApiErrorInfo info = new ApiErrorInfo(
                status, code, category, retryable, message, requestId, traceId, retryAfter, text);
        return forStatus(info);
    }

    static AxmeApiException forStatus(ApiErrorInfo info) {
        int status = info.status();
        switch (status) {
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
