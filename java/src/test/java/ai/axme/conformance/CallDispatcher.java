package ai.axme.conformance;

import ai.axme.sdk.AxmeClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code call} op: canonical method name + wire-JSON args → the SDK's public API. The
 * operations are {@link GeneratedCalls} (java/tools/gen_driver_calls.py, from the spec and
 * naming.yaml), answering the full response body as the server sent it
 * ({@link ai.axme.sdk.RawAxmeClient}); {@link HandWrittenCalls} holds the rest.
 */
final class CallDispatcher {
    private final ObjectMapper mapper;
    private final HandWrittenCalls handWritten;

    CallDispatcher(ObjectMapper mapper) {
        this.mapper = mapper;
        this.handWritten = new HandWrittenCalls(mapper);
    }

    JsonNode call(AxmeClient client, String method, JsonNode rawArgs) {
        ObjectNode args = rawArgs != null && rawArgs.isObject() ? (ObjectNode) rawArgs.deepCopy() : mapper.createObjectNode();
        HandWrittenCalls.Call call = handWritten.get(method);
        if (call != null) {
            return call.run(client, args);
        }
        return GeneratedCalls.call(client.withRawResponse(), method, args).json();
    }
}
