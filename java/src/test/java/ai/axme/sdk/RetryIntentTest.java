package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.axme.sdk.generated.Event;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentStatus;
import ai.axme.sdk.generated.RegisterAgentRequest;
import ai.axme.sdk.generated.RetryIntentRequest;
import ai.axme.sdk.generated.RetryIntentResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** retryIntent against the real reference server (REQ-REATTEMPT-002/005/008/009). */
class RetryIntentTest {
    private static final ReferenceServer server = ReferenceServer.shared();

    @Test
    void aRetryStartsANewAttemptThatWaitForAndObserveFollow() throws Exception {
        try (AxmeClient admin = AxmeClient.builder().baseUrl(server.baseUrl()).apiKey(server.newNamespaceAdminKey())
                .retryBaseDelay(Duration.ofMillis(20)).build()) {
            String address = admin.registerAgent(new RegisterAgentRequest().address("retried")).getAgent().getAddress();
            IntentHandle failed = admin.submitIntent("intent.test.retry.v1", address, Map.of("n", 1));
            failed.fail("flaky");
            RetryIntentResponse retried = admin.retryIntent(failed.intentId(), new RetryIntentRequest().reason("again"));
            assertEquals(failed.intentId(), retried.getRetryOf().toString());
            assertEquals(2, retried.getAttempt().intValue());
            assertEquals("agent", retried.getFromStep());
            ConflictException again = assertThrows(ConflictException.class, () -> admin.retryIntent(failed.intentId(), null));
            assertEquals("invalid_transition", again.code());
            admin.intent(retried.getIntentId().toString()).complete(Map.of("ok", true));
            Intent done = admin.waitFor(failed.intentId(), Duration.ofSeconds(10));
            assertEquals(retried.getIntentId(), done.getIntentId());
            assertEquals(IntentStatus.COMPLETED, done.getStatus());
            List<String> seen = new ArrayList<>();
            try (EventStream events = admin.observe(failed.intentId())) {
                for (Event event : events) {
                    seen.add((failed.intentId().equals(event.getIntentId().toString()) ? "old " : "new ") + event.getEventType().getValue());
                }
            }
            assertEquals(List.of("old intent.submitted", "old intent.failed", "new intent.submitted", "new intent.completed"), seen);
        }
    }
}
