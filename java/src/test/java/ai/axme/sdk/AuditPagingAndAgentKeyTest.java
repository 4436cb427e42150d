package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.AuditResponse;
import ai.axme.sdk.generated.CreateAgentKeyRequest;
import ai.axme.sdk.generated.KeyCreatedResponse;
import ai.axme.sdk.generated.RegisterAgentRequest;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** getIntentAudit's since/limit (REQ-LIMIT-013) and createAgentKey's body, against the reference server. */
class AuditPagingAndAgentKeyTest {
    private static final ReferenceServer server = ReferenceServer.shared();

    private static AxmeClient client(String key) {
        return AxmeClient.builder().baseUrl(server.baseUrl()).apiKey(key).retryBaseDelay(Duration.ofMillis(20)).build();
    }

    @Test
    void theAuditTrailIsReadOnePageAtATime() throws Exception {
        try (AxmeClient admin = client(server.newNamespaceAdminKey())) {
            admin.registerAgent(new RegisterAgentRequest().address("worker"));
            String intentId = admin.sendIntent("intent.test.echo.v1", "worker", Map.of());
            admin.cancelIntent(intentId, "not needed");

            AuditResponse first = admin.getIntentAudit(intentId, QueryParams.empty().with("since", 0).with("limit", 1));
            assertEquals(1, first.getAudit().size());
            assertEquals(1, first.getAudit().get(0).getSeq().intValue());
            assertEquals(2, first.getNextSeq().intValue());
            AuditResponse second = admin.async()
                    .getIntentAudit(intentId, QueryParams.empty().with("since", first.getNextSeq() - 1).with("limit", 1))
                    .get();
            assertEquals(2, second.getAudit().get(0).getSeq().intValue());
            AuditResponse past = admin.getIntentAudit(intentId, QueryParams.empty().with("since", 2));
            assertTrue(past.getAudit().isEmpty());
            assertEquals(3, past.getNextSeq().intValue());
            assertEquals(2, admin.getIntentAudit(intentId).getAudit().size());
            assertThrows(ValidationException.class,
                    () -> admin.getIntentAudit(intentId, QueryParams.empty().with("limit", 0)));
        }
    }

    @Test
    void createAgentKeySendsItsNameAndExpiry() throws Exception {
        String adminKey = server.newNamespaceAdminKey();
        try (AxmeClient admin = client(adminKey)) {
            String address = admin.registerAgent(new RegisterAgentRequest().address("keyed")).getAgent().getAddress();
            OffsetDateTime expires = OffsetDateTime.of(2031, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
            admin.createAgentKey(address, new CreateAgentKeyRequest().name("deploy bot").expiresAt(expires));
            KeyCreatedResponse plain = admin.createAgentKey(address, null);
            assertTrue(plain.getApiKey().startsWith("axme_agent_"));
        }
        List<JsonNode> sent = new ArrayList<>();
        server.recordedRequests(adminKey).forEach(r -> {
            if ("createAgentKey".equals(r.path("op").asText())) {
                sent.add(r.path("body"));
            }
        });
        assertEquals(2, sent.size());
        assertEquals("deploy bot", sent.get(0).path("name").asText());
        assertEquals(expires(sent.get(0)), OffsetDateTime.of(2031, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC).toInstant());
        assertEquals(2, sent.get(0).size());
        assertEquals(0, sent.get(1).size());
    }

    private static java.time.Instant expires(JsonNode body) {
        return OffsetDateTime.parse(body.path("expires_at").asText()).toInstant();
    }
}
