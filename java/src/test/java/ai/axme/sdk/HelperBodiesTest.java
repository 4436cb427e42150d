package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.axme.sdk.generated.IntentError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent-write and human-decision helpers send the bodies spec/naming.yaml describes. */
class HelperBodiesTest {
    private static final String WRITTEN = "{\"ok\":true,\"applied\":true,\"intent\":{\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\",\"status\":\"COMPLETED\"}}";
    private static final ObjectMapper JSON = new ObjectMapper();
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
        client.reportProgressAsync("i1", Map.of("pct", 75), "d2").join();
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
}
