package ai.axme.sdk;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One HTTP call to the AXP API as the transport needs it: method, encoded path, query, body. */
final class ApiRequest {
    final String method;
    final String path;
    final Map<String, String> query = new LinkedHashMap<>();
    final Map<String, String> headers = new LinkedHashMap<>();
    Object body;
    String idempotencyKey;

    private ApiRequest(String method, String path) {
        this.method = method;
        this.path = path;
    }

    static ApiRequest get(String path) {
        return new ApiRequest("GET", path);
    }

    static ApiRequest post(String path, Object body) {
        ApiRequest request = new ApiRequest("POST", path);
        request.body = body;
        return request;
    }

    static ApiRequest delete(String path) {
        return new ApiRequest("DELETE", path);
    }

    /** Adds a query parameter; null values are left out so optional filters stay optional. */
    ApiRequest query(String name, Object value) {
        if (value != null) {
            query.put(name, String.valueOf(value));
        }
        return this;
    }

    ApiRequest header(String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
        return this;
    }

    ApiRequest idempotencyKey(String key) {
        this.idempotencyKey = key;
        return this;
    }

    boolean isPost() {
        return "POST".equals(method);
    }

    String pathAndQuery() {
        if (query.isEmpty()) {
            return path;
        }
        StringBuilder out = new StringBuilder(path).append('?');
        query.forEach((name, value) -> {
            if (out.charAt(out.length() - 1) != '?') {
                out.append('&');
            }
            out.append(encode(name)).append('=').append(encode(value));
        });
        return out.toString();
    }

    /** A path parameter as one percent-encoded segment; null or empty is an {@link IllegalArgumentException}. */
    static String pathSegment(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " must be a non-empty string");
        }
        return encode(value);
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters, so an address is one segment. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
