package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.AgentRegisteredResponse;
import ai.axme.sdk.generated.DeliveryPollResponse;
import ai.axme.sdk.generated.Event;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentError;
import ai.axme.sdk.generated.IntentStatus;
import ai.axme.sdk.generated.IntentWriteResponse;
import ai.axme.sdk.generated.RegisterAgentRequest;
import ai.axme.sdk.generated.TaskListResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End to end against the real reference server over 127.0.0.1 (a fresh workspace per test). */
class ReferenceServerTest {
    private static final ReferenceServer server = ReferenceServer.shared();
    private AxmeClient admin;
    private String agentAddress;
    private AxmeClient agent;

    @BeforeEach
    void workspace() throws Exception {
        admin = client(server.newNamespaceAdminKey());
        AgentRegisteredResponse registered = admin.registerAgent(new RegisterAgentRequest().address("worker"));
        agentAddress = registered.getAgent().getAddress();
        agent = client(registered.getApiKey());
    }

    @AfterEach
    void closeClients() {
        admin.close();
        agent.close();
    }

    private static AxmeClient client(String key) {
        return AxmeClient.builder().baseUrl(server.baseUrl()).apiKey(key).retryBaseDelay(Duration.ofMillis(20)).build();
    }

    private String sendApproval() {
        return admin.sendIntent(Map.of("intent_type", "intent.test.approval.v1", "to_agent", "worker",
                "payload", Map.of("target", "db-1"),
                "human_task", Map.of("title", "Approve it", "task_type", "approval")));
    }

    @Test
    void agentThenHumanApprovalCompletesTheIntent() throws Exception {
        String intentId = sendApproval();
        List<String> types = new ArrayList<>();
        CompletableFuture<Intent> waiting = admin.async().waitFor(intentId, Duration.ofSeconds(30));
        try (Listener listener = agent.listen(agentAddress, delivery -> {
            delivery.reportProgress(Map.of("stage", "checking"));
            return Map.of("checked", delivery.payload().get("target"));
        }, ListenOptions.maxDeliveries(1))) {
            assertTrue(listener.awaitTermination(Duration.ofSeconds(30)), "the agent handled the delivery");
            assertEquals(1, listener.deliveriesHandled());
        }
        try (EventStream events = admin.observe(intentId)) {
            for (Event event : events) {
                types.add(event.getEventType().getValue());
                if (event.getWaitingReason() != null && event.getWaitingReason().getValue().equals("WAITING_FOR_HUMAN")
                        && !types.contains("approved")) {
                    TaskListResponse tasks = admin.listTasks(QueryParams.empty().with("status", "pending"));
                    assertTrue(tasks.getTasks().stream().anyMatch(t -> t.getIntentId().toString().equals(intentId)));
                    admin.approveTask(intentId, "fine");
                    types.add("approved");
                }
            }
        }
        Intent done = waiting.get();
        assertEquals(IntentStatus.COMPLETED, done.getStatus());
        assertEquals(Map.of("checked", "db-1"), done.getResult());
        assertEquals("intent.submitted", types.get(0));
        assertTrue(types.contains("intent.progress"), types.toString());
        assertEquals("intent.completed", types.get(types.size() - 1));
        assertFalse(admin.getIntentAudit(intentId).getAudit().isEmpty());
    }

    @Test
    void aFailingHandlerFailsTheIntentWithItsError() throws Exception {
        String intentId = admin.sendIntent("intent.test.echo.v1", "worker", Map.of());
        try (Listener listener = agent.listen(agentAddress, delivery -> {
            throw new IllegalStateException("no target given");
        }, ListenOptions.maxDeliveries(1))) {
            assertTrue(listener.awaitTermination(Duration.ofSeconds(30)));
        }
        Intent failed = admin.waitFor(intentId, Duration.ofSeconds(20));
        assertEquals(IntentStatus.FAILED, failed.getStatus());
        assertEquals("agent_error", failed.getError().getCode());
        assertEquals("no target given", failed.getError().getMessage());
    }

    @Test
    void resumeIntentWithSendsAnyBodyAndFailIntentDefaultsTheCode() {
        String intentId = admin.sendIntent("intent.test.echo.v1", "worker", Map.of());
        DeliveryPollResponse polled = agent.pollAgentDeliveries(agentAddress, QueryParams.empty().with("wait_seconds", 5));
        assertEquals(1, polled.getDeliveries().size());
        String deliveryId = polled.getDeliveries().get(0).getDeliveryId();
        IntentWriteResponse moved = agent.resumeIntentWith(intentId,
                Map.of("kind", "progress", "details", Map.of("pct", 10), "delivery_id", deliveryId));
        assertEquals(IntentStatus.IN_PROGRESS, moved.getIntent().getStatus());
        // sent as given: a bare object without kind or action is the server's 422
        assertThrows(ValidationException.class, () -> agent.resumeIntentWith(intentId, Map.of("answer", 42)));
        ConflictException stale = assertThrows(ConflictException.class,
                () -> agent.resumeIntent(intentId, Map.of(), "not-the-current-delivery"));
        assertEquals("stale_delivery", stale.code());
        IntentWriteResponse failed = agent.failIntent(intentId, new IntentError().message("no code given"), deliveryId);
        assertEquals(IntentStatus.FAILED, failed.getIntent().getStatus());
        assertEquals("agent_error", failed.getIntent().getError().getCode());
        assertEquals("no code given", failed.getIntent().getError().getMessage());
    }

    @Test
    void waitForReturnsCanceledAndTimesOutWithoutTouchingTheIntent() {
        String intentId = admin.sendIntent("intent.test.echo.v1", "worker", Map.of());
        WaitTimeoutException timeout = assertThrows(WaitTimeoutException.class,
                () -> admin.waitFor(intentId, Duration.ofMillis(300)));
        assertEquals(intentId, timeout.intentId());
        assertEquals(IntentStatus.SUBMITTED, admin.getIntent(intentId).getStatus());
        admin.cancelIntent(intentId, "not needed");
        assertEquals(IntentStatus.CANCELED, admin.waitFor(intentId, Duration.ofSeconds(10)).getStatus());
        ConflictException terminal = assertThrows(ConflictException.class, () -> admin.cancelIntent(intentId, null));
        assertEquals("intent_terminal", terminal.code());
    }

    @Test
    void cancellingWaitForNeverCancelsTheIntent() throws Exception {
        String intentId = admin.sendIntent("intent.test.echo.v1", "worker", Map.of());
        CompletableFuture<Intent> waiting = admin.async().waitFor(intentId, Duration.ofSeconds(30));
        Thread.sleep(200); // let it reach the stream; the assertion below does not depend on timing
        assertTrue(waiting.cancel(true));
        assertThrows(CancellationException.class, waiting::join);
        assertEquals(IntentStatus.SUBMITTED, admin.getIntent(intentId).getStatus());
    }

    @Test
    void errorsMapToTheirExceptions() {
        NotFoundException missing = assertThrows(NotFoundException.class,
                () -> admin.getIntent("6f1c1c9e-0000-4000-8000-00000000dead"));
        assertEquals("intent_not_found", missing.code());
        assertNotNull(missing.requestId());
        ValidationException invalid = assertThrows(ValidationException.class,
                () -> admin.sendIntent("not-a-type", "worker", Map.of()));
        assertEquals(422, invalid.status());
        try (AxmeClient stranger = client("axme_admin_nope_nope")) {
            assertThrows(AuthenticationException.class, () -> stranger.listIntents(QueryParams.empty()));
        }
        assertThrows(NotFoundException.class, () -> admin.sendIntent("intent.test.echo.v1", "nobody", Map.of()));
    }
}
