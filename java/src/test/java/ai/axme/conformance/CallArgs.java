package ai.axme.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading a {@code call}'s wire-JSON args, shared by {@link GeneratedCalls} and {@link HandWrittenCalls}. */
final class CallArgs {
    private CallArgs() {
    }

    /** A required string argument, removed from args so that it is not also sent in the body or query. */
    static String take(ObjectNode args, String name) {
        JsonNode value = args.remove(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("missing string argument " + name);
        }
        return value.asText();
    }

    static String optional(ObjectNode args, String name) {
        JsonNode value = args.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** The args left as query parameters: scalars as their text, null ones left out. */
    static Map<String, Object> query(ObjectNode args) {
        Map<String, Object> query = new LinkedHashMap<>();
        args.fields().forEachRemaining(field -> {
            if (!field.getValue().isNull()) {
                query.put(field.getKey(), field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString());
            }
        });
        return query;
    }
}
