package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.axme.sdk.generated.CreateIntentRequest;
import ai.axme.sdk.generated.IntentError;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent-write and human-decision helpers send the bodies spec/naming.yaml describes, with Map
 * contents exactly as given (nulls included) and unset typed-model members left out.
 */
class HelperBodiesTest {
    private static final String WRITTEN = "{\"ok\":true,\"applied\":true,\"intent\":{\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\",\"status\":\"COMPLETED\"}}";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nulls at several depths and in arrays, empties, unicode, escapes, integers up to 2^53-1, floats. */
    private static final String VALUE = "{\"top_null\":null,\"nested\":{\"b\":null,\"deeper\":{\"c\":null,\"d\":[null,{\"e\":null}]}},"
            + "\"list\":[null,1,null],\"empty_object\":{},\"empty_list\":[],\"nested_empties\":{\"o\":{},\"l\":[[],{},[null]]},"
            + "\"unicode\":\"héllo ✓ 日本語 🎉\",\"escapes\":\"q\\\" b\\\\ n\\n\",\"ключ camelCase\":1,"
            + "\"max_safe\":9007199254740991,\"min_safe\":-9007199254740991,\"floats\":[3.14159,-0.5,1.0E-7,6.02E23,0.1]}";
    private StubServer stub;
    private AxmeClient client;

    @BeforeEach
    void start() throws Exception {
        stub = new StubServer();
        stub.otherwise(exchange -> StubServer.send(exchange, 200, WRITTEN, Map.of()));
        client = AxmeClient.builder().baseUrl(stub.baseUrl()).apiKey("axme_agent_test_secret")
                .retryBaseDelay(Duration.ofMillis(5)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        stub.close();
    }

    private JsonNode lastBody(String path) throws Exception {
        List<StubServer.Seen> seen = stub.requests();
        StubServer.Seen last = seen.get(seen.size() - 1);
        assertEquals(path, last.pathAndQuery());
        return JSON.readTree(last.body());
    }

    private static Map<String, Object> value() throws Exception {
        return JSON.readValue(VALUE, new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void resumeIntentSendsAnAgentResultWithAnOptionalDeliveryId() throws Exception {
        client.resumeIntent("i1", Map.of("n", 1));
        assertEquals(json("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{\"n\":1}}"), lastBody("/v1/intents/i1/resume"));
        client.resumeIntent("i1", null, "d1");
        assertEquals(json("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{},\"delivery_id\":\"d1\"}"),
                lastBody("/v1/intents/i1/resume"));
    }

    @Test
    void resumeIntentSendsAResultThatIsAResumeFormAsGiven() throws Exception {
        for (String form : List.of("{\"action\":\"fail\",\"reason\":\"disk full\"}", "{\"kind\":\"progress\"}",
                "{\"task_result\":{\"outcome\":\"approved\"}}", "{\"approve_current_step\":true}")) {
            client.resumeIntent("i1", JSON.readValue(form, new TypeReference<LinkedHashMap<String, Object>>() { }));
            assertEquals(json(form), lastBody("/v1/intents/i1/resume"));
        }
        client.resumeIntent("i1", JSON.readTree("{\"action\":\"fail\"}"));
        assertEquals(json("{\"action\":\"fail\"}"), lastBody("/v1/intents/i1/resume"));
        client.resumeIntent("i1", Map.of("action", "fail"), "d1");
        assertEquals(json("{\"action\":\"fail\",\"delivery_id\":\"d1\"}"), lastBody("/v1/intents/i1/resume"));
        client.resumeIntent("i1", Map.of("action", "fail", "delivery_id", "d0"), "d1");
        assertEquals(json("{\"action\":\"fail\",\"delivery_id\":\"d0\"}"), lastBody("/v1/intents/i1/resume"));
        client.resumeIntent("i1", Map.of("status", "fail"));
        assertEquals(json("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{\"status\":\"fail\"}}"),
                lastBody("/v1/intents/i1/resume"));
    }

    @Test
    void resumeIntentWithSendsAnyBodyAsGiven() throws Exception {
        client.resumeIntentWith("i1", Map.of("action", "complete", "answerCount", 2));
        assertEquals(json("{\"action\":\"complete\",\"answerCount\":2}"), lastBody("/v1/intents/i1/resume"));
        client.resumeIntentWith("i1", Map.of("kind", "task_result", "outcome", "approved"));
        assertEquals(json("{\"kind\":\"task_result\",\"outcome\":\"approved\"}"), lastBody("/v1/intents/i1/resume"));
    }

    @Test
    void failIntentTakesOneErrorObjectAndDefaultsTheCode() throws Exception {
        client.failIntent("i1", new IntentError().code("bad").message("no").details(Map.of("line", 3)), "d1");
        assertEquals(json("{\"kind\":\"agent_result\",\"outcome\":\"fail\",\"error\":{\"code\":\"bad\",\"message\":\"no\","
                + "\"details\":{\"line\":3}},\"delivery_id\":\"d1\"}"), lastBody("/v1/intents/i1/resume"));
        client.failIntent("i1", new IntentError().message("no code"));
        assertEquals(json("{\"kind\":\"agent_result\",\"outcome\":\"fail\",\"error\":{\"code\":\"agent_error\",\"message\":\"no code\"}}"),
                lastBody("/v1/intents/i1/resume"));
        client.failIntent("i1", "plan_invalid", "shorthand");
        assertEquals(json("{\"kind\":\"agent_result\",\"outcome\":\"fail\",\"error\":{\"code\":\"plan_invalid\",\"message\":\"shorthand\"}}"),
                lastBody("/v1/intents/i1/resume"));
        int before = stub.requests().size();
        assertThrows(IllegalArgumentException.class, () -> client.failIntent("i1", (IntentError) null));
        assertEquals(before, stub.requests().size());
    }

    @Test
    void reportProgressTakesDetailsThenAnOptionalDeliveryId() throws Exception {
        client.reportProgress("i1", Map.of("pct", 50), "d1");
        assertEquals(json("{\"kind\":\"progress\",\"details\":{\"pct\":50},\"delivery_id\":\"d1\"}"),
                lastBody("/v1/intents/i1/resume"));
        client.reportProgress("i1", null);
        assertEquals(json("{\"kind\":\"progress\"}"), lastBody("/v1/intents/i1/resume"));
        client.async().reportProgress("i1", Map.of("pct", 75), "d2").join();
        assertEquals(json("{\"kind\":\"progress\",\"details\":{\"pct\":75},\"delivery_id\":\"d2\"}"),
                lastBody("/v1/intents/i1/resume"));
    }

    @Test
    void completeTaskTakesDataThenComment() throws Exception {
        client.completeTask("i1", "submitted", Map.of("ticket", "T-1"), "filed");
        assertEquals(json("{\"outcome\":\"submitted\",\"data\":{\"ticket\":\"T-1\"},\"comment\":\"filed\"}"),
                lastBody("/v1/tasks/i1/decision"));
        client.approveTask("i1", "ok");
        assertEquals(json("{\"outcome\":\"approved\",\"comment\":\"ok\"}"), lastBody("/v1/tasks/i1/decision"));
    }

    // Map contents reach the wire exactly as given, nulls at any depth included (REQ-CLIENT-005),
    // while unset optional members of the typed models are still left out.

    @Test
    void sendIntentSendsAMapBodyWithItsNulls() throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("intent_type", "intent.demo.v1");
        request.put("to_agent", "demo");
        request.put("payload", value());
        client.sendIntent(request);
        assertEquals(JSON.readTree(VALUE), lastBody("/v1/intents").path("payload"));

        client.sendIntent("intent.demo.v1", "demo", value());
        assertEquals(JSON.readTree(VALUE), lastBody("/v1/intents").path("payload"));
    }

    @Test
    void resumeResultsAndResumeBodiesKeepTheirNulls() throws Exception {
        client.resumeIntent("i1", value());
        assertEquals(JSON.readTree(VALUE), lastBody("/v1/intents/i1/resume").path("result"));

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "agent_result");
        body.put("outcome", "complete");
        body.put("result", value());
        body.put("delivery_id", null);
        client.resumeIntentWith("i1", body);
        assertEquals(JSON.readTree("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":" + VALUE + ",\"delivery_id\":null}"),
                lastBody("/v1/intents/i1/resume"));
    }

    @Test
    void taskDecisionDataKeepsItsNulls() throws Exception {
        client.completeTask("i1", "submitted", value(), null);
        assertEquals(JSON.readTree("{\"outcome\":\"submitted\",\"data\":" + VALUE + "}"), lastBody("/v1/tasks/i1/decision"));
    }

    @Test
    void typedModelsLeaveUnsetOptionalMembersOutAndKeepPayloadNulls() throws Exception {
        CreateIntentRequest request = new CreateIntentRequest().intentType("intent.demo.v1").toAgent("demo").payload(value());
        client.createIntent(request);
        // correlation_id, reply_to, deadline_at, human_task, … are unset: left out, not sent as null.
        assertEquals(JSON.readTree("{\"intent_type\":\"intent.demo.v1\",\"to_agent\":\"demo\",\"payload\":" + VALUE
                + ",\"max_delivery_attempts\":3}"), lastBody("/v1/intents"));
    }

    @Test
    void aTypedModelInsideAMapStillLeavesItsUnsetMembersOut() throws Exception {
        ObjectMapper mapper = Json.newMapper();
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("error", new IntentError().code("bad").message("no"));
        map.put("note", null);
        // details is an unset optional member: left out; the Map's own null entry stays.
        assertEquals("{\"error\":{\"code\":\"bad\",\"message\":\"no\"},\"note\":null}", mapper.writeValueAsString(map));
    }
}
