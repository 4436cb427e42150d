package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.CreateIntentRequest;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.ScenarioBundle;
import ai.axme.sdk.generated.ScenarioIntent;
import ai.axme.sdk.generated.ScenarioStep;
import ai.axme.sdk.generated.ScenarioWorkflow;
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
 * The spec declares free-form objects {@code additionalProperties: true}, so the generated models
 * type them {@code Map<String, Object>}: built with the generated builders, sent as given, read back
 * without casts.
 */
class FreeFormMembersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private StubServer stub;
    private AxmeClient client;

    @BeforeEach
    void start() throws Exception {
        stub = new StubServer();
        client = AxmeClient.builder().baseUrl(stub.baseUrl()).apiKey("axme_agent_test_secret")
                .retryBaseDelay(Duration.ofMillis(5)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        stub.close();
    }

    private JsonNode lastBody() throws Exception {
        List<StubServer.Seen> seen = stub.requests();
        return JSON.readTree(seen.get(seen.size() - 1).body());
    }

    @Test
    void createIntentSendsTheMapPayloadAsGivenNullsIncluded() throws Exception {
        stub.thenJson(200, "{\"ok\":true,\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\",\"status\":\"SUBMITTED\","
                + "\"created_at\":\"2026-11-21T10:00:00.123Z\"}");
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("id", 7);
        change.put("reviewer", null);
        CreateIntentRequest request = new CreateIntentRequest().intentType("intent.demo.v1").toAgent("demo")
                .putPayloadItem("change", change).putPayloadItem("tags", List.of("db", "prod")).putPayloadItem("note", null);
        client.createIntent(request);
        assertEquals(JSON.readTree("{\"change\":{\"id\":7,\"reviewer\":null},\"tags\":[\"db\",\"prod\"],\"note\":null}"),
                lastBody().path("payload"));
    }

    @Test
    void aScenarioIntentWithoutPayloadSerializesAndMapMembersAreSent() throws Exception {
        stub.thenJson(200, "{\"ok\":true,\"valid\":true,\"problems\":[]}");
        ScenarioBundle bundle = new ScenarioBundle().scenarioId("demo.one")
                .workflow(new ScenarioWorkflow().putParametersItem("region", "eu")
                        .addStepsItem(new ScenarioStep().stepId("wait").runtimeType(ScenarioStep.RuntimeTypeEnum.DELAY)
                                .putRuntimeConfigItem("seconds", 5)))
                .intent(new ScenarioIntent().type("intent.demo.v1"));
        client.validateScenario(bundle);
        JsonNode sent = lastBody();
        assertEquals(JSON.readTree("{\"region\":\"eu\"}"), sent.path("workflow").path("parameters"));
        assertEquals(JSON.readTree("{\"seconds\":5}"), sent.path("workflow").path("steps").path(0).path("runtime_config"));
        // The generated default used to be an unserializable new Object(); now an unset payload is left out.
        assertFalse(sent.path("intent").has("payload"));
    }

    @Test
    void payloadAndResultAreMapsWhenRead() {
        stub.thenJson(200, "{\"ok\":true,\"intent\":{\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\","
                + "\"status\":\"COMPLETED\",\"payload\":{\"change\":{\"id\":7},\"note\":null},\"result\":{\"approved\":true},"
                + "\"error\":null}}");
        Intent intent = client.getIntent("6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10");
        Map<String, Object> payload = intent.getPayload();
        assertEquals(Map.of("id", 7), payload.get("change"));
        assertNull(payload.get("note"));
        assertTrue(payload.containsKey("note"));
        assertEquals(Boolean.TRUE, intent.getResult().get("approved"));
    }
}
