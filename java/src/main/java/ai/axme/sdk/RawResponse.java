package ai.axme.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A successful response exactly as the server sent it: status, headers and the JSON body,
 * with {@link #as(Class)} to read it as a generated model. Returned by {@link RawAxmeClient}.
 */
public final class RawResponse {
    private final int statusCode;
    private final Map<String, List<String>> headers;
    private final JsonNode body;
    private final String traceId;
    private final ObjectMapper mapper;

    RawResponse(int statusCode, Map<String, List<String>> headers, JsonNode body, String traceId,
            ObjectMapper mapper) {
        this.statusCode = statusCode;
        this.headers = headers;
        this.body = body;
        this.traceId = traceId;
        this.mapper = mapper;
    }

    /** @return the HTTP status code */
    public int statusCode() {
        return statusCode;
    }

    /** @return the response headers (names as the server sent them) */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * @param name header name, case-insensitive
     * @return the first value of that header
     */
    public Optional<String> header(String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst();
    }

    /** @return the {@code X-Request-Id} header, or null */
    public String requestId() {
        return header("X-Request-Id").orElse(null);
    }

    /** @return the trace id this request was sent with */
    public String traceId() {
        return traceId;
    }

    /** @return the JSON body, unchanged (keys exactly as on the wire) */
    public JsonNode json() {
        return body.deepCopy();
    }

    JsonNode body() {
        return body;
    }

    /**
     * Reads the whole body as a model.
     *
     * @param type the model class (usually from {@code ai.axme.sdk.generated})
     * @param <T> the model type
     * @return the body as that type
     */
    public <T> T as(Class<T> type) {
        return convert(body, type);
    }

    /**
     * Reads one member of the body ({@code {"ok":true,"intent":{…}}} → the intent) as a model.
     *
     * @param name the member name
     * @param type the model class
     * @param <T> the model type
     * @return the member as that type
     */
    public <T> T member(String name, Class<T> type) {
        JsonNode member = body.get(name);
        if (member == null) {
            throw new AxmeException("response has no '" + name + "' member: " + abbreviate(body.toString()));
        }
        return convert(member, type);
    }

    private <T> T convert(JsonNode node, Class<T> type) {
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new AxmeException("response does not match " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
