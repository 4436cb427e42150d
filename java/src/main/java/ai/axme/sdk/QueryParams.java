package ai.axme.sdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Query parameters of the list operations ({@code status}, {@code limit}, {@code cursor}, …),
 * immutable: each {@link #with(String, Object)} returns a new instance. Null values are left out.
 */
public final class QueryParams {
    private static final QueryParams EMPTY = new QueryParams(Map.of());
    private final Map<String, Object> values;

    private QueryParams(Map<String, Object> values) {
        this.values = values;
    }

    /** @return no parameters */
    public static QueryParams empty() {
        return EMPTY;
    }

    /**
     * @param name parameter name as on the wire ({@code to_agent}, {@code wait_seconds}, …)
     * @param value its value; null removes the parameter
     * @return a copy with that parameter set
     */
    public QueryParams with(String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        if (value == null) {
            copy.remove(name);
        } else {
            copy.put(name, value);
        }
        return new QueryParams(Collections.unmodifiableMap(copy));
    }

    /** @return the parameters in insertion order */
    public Map<String, Object> asMap() {
        return values;
    }
}
