package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.axme.sdk.generated.Event;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentError;
import ai.axme.sdk.generated.IntentStatus;
import ai.axme.sdk.generated.RegisterAgentRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The intent handle against the real reference server (REQ-CLIENT-010). */
class IntentHandleTest {
    private static final ReferenceServer server = ReferenceServer.shared();
    private AxmeClient admin;
    private String agentAddress;

    @BeforeEach
    void workspace() throws Exception {
        admin = AxmeClient.builder().baseUrl(server.baseUrl()).apiKey(server.newNamespaceAdminKey())
                .retryBaseDelay(Duration.ofMillis(20)).build();
        agentAddress = admin.registerAgent(new RegisterAgentRequest().address("handled")).getAgent().getAddress();
    }

    @AfterEach
    void close() {
        admin.close();
    }

    private IntentHandle submit() {
        return admin.submitIntent("intent.test.handle.v1", agentAddress, Map.of("n", 1));
    }

    @Test
    void submitIntentReturnsAHandleThatCompletesWaitsAndObserves() {
        IntentHandle handle = submit();
        assertNotNull(handle.created());
        assertEquals(IntentStatus.SUBMITTED, handle.get().getStatus());
        assertEquals(IntentStatus.COMPLETED, handle.complete(Map.of("answer", 42)).getIntent().getStatus());
        Intent done = handle.waitFor(Duration.ofSeconds(10));
        assertEquals(IntentStatus.COMPLETED, done.getStatus());
        assertEquals(42, ((Number) done.getResult().get("answer")).intValue());
        List<Event> events = new ArrayList<>();
        try (EventStream stream = handle.observe()) {
            stream.forEach(events::add);
        }
        assertEquals(IntentStatus.COMPLETED, events.get(events.size() - 1).getStatus());
    }

    @Test
    void failAndCancelEndTheIntent() {
        IntentHandle failing = submit();
        failing.fail("the plan is invalid");
        Intent failed = failing.waitFor(Duration.ofSeconds(10));
        assertEquals(IntentStatus.FAILED, failed.getStatus());
        assertEquals("failed", failed.getError().getCode());
        assertEquals("the plan is invalid", failed.getError().getMessage());
        IntentHandle explicit = submit();
        explicit.fail(new IntentError().code("plan_invalid").message("no"));
        assertEquals("plan_invalid", explicit.get().getError().getCode());
        IntentHandle canceled = submit();
        canceled.cancel("no longer needed");
        IntentHandle again = admin.intent(canceled.intentId());
        assertNull(again.created());
        assertEquals(IntentStatus.CANCELED, again.waitFor(Duration.ofSeconds(10)).getStatus());
        assertThrows(IllegalArgumentException.class, () -> admin.intent(""));
        assertThrows(IllegalArgumentException.class, () -> again.fail((IntentError) null));
    }
}
