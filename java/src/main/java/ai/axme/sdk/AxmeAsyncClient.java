package ai.axme.sdk;

import ai.axme.sdk.generated.AckIntentResponse;
import ai.axme.sdk.generated.Agent;
import ai.axme.sdk.generated.AgentDeletedResponse;
import ai.axme.sdk.generated.AgentListResponse;
import ai.axme.sdk.generated.AgentRegisteredResponse;
import ai.axme.sdk.generated.ApplyScenarioResponse;
import ai.axme.sdk.generated.AuditResponse;
import ai.axme.sdk.generated.CallbackSecretRotatedResponse;
import ai.axme.sdk.generated.CreateIntentRequest;
import ai.axme.sdk.generated.CreateIntentResponse;
import ai.axme.sdk.generated.CreateKeyRequest;
import ai.axme.sdk.generated.DeliveryPollResponse;
import ai.axme.sdk.generated.EventListResponse;
import ai.axme.sdk.generated.HealthResponse;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentError;
import ai.axme.sdk.generated.IntentListResponse;
import ai.axme.sdk.generated.IntentWriteResponse;
import ai.axme.sdk.generated.Key;
import ai.axme.sdk.generated.KeyCreatedResponse;
import ai.axme.sdk.generated.KeyListResponse;
import ai.axme.sdk.generated.LinkSecretRotatedResponse;
import ai.axme.sdk.generated.NotificationListResponse;
import ai.axme.sdk.generated.RegisterAgentRequest;
import ai.axme.sdk.generated.ResolveIntentRequest;
import ai.axme.sdk.generated.RetryIntentRequest;
import ai.axme.sdk.generated.RetryIntentResponse;
import ai.axme.sdk.generated.RotateCallbackSecretRequest;
import ai.axme.sdk.generated.RotateSecretRequest;
import ai.axme.sdk.generated.ScenarioBundle;
import ai.axme.sdk.generated.TaskDecision;
import ai.axme.sdk.generated.TaskListResponse;
import ai.axme.sdk.generated.ValidateScenarioResponse;
import ai.axme.sdk.generated.WebhookSecretRotatedResponse;
import ai.axme.sdk.generated.WorkspaceCreatedResponse;
import ai.axme.sdk.generated.WorkspaceListResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The asynchronous face of an {@link AxmeClient}, from {@link AxmeClient#async()}: the same operations
 * under the same names, each returning a {@link CompletableFuture}. It runs the blocking call on the
 * client's daemon threads and shares its connections and settings (including a
 * {@link AxmeClient#withOptions(RequestOptions) view's} options). Cancelling a future interrupts its
 * call: the request is aborted and never retried, and the intent is never changed.
 *
 * <pre>{@code
 * CompletableFuture<Intent> done = client.async().waitFor(id, Duration.ofMinutes(5));
 * }</pre>
 */
public final class AxmeAsyncClient {
    private final AxmeClient client;
    private final AsyncRunner runner;

    AxmeAsyncClient(AxmeClient client, AsyncRunner runner) {
        this.client = client;
        this.runner = runner;
    }

    /** @return the blocking client whose calls this face runs */
    public AxmeClient sync() {
        return client;
    }

    private <T> CompletableFuture<T> run(Supplier<T> call) {
        return runner.run(call);
    }

    /** @return {@link AxmeClient#getHealth()} */
    public CompletableFuture<HealthResponse> getHealth() {
        return run(() -> client.getHealth());
    }

    /**
     * @param request the intent
     * @return {@link AxmeClient#createIntent(CreateIntentRequest)}
     */
    public CompletableFuture<CreateIntentResponse> createIntent(CreateIntentRequest request) {
        return run(() -> client.createIntent(request));
    }

    /**
     * @param request the intent
     * @return {@link AxmeClient#sendIntent(CreateIntentRequest)}
     */
    public CompletableFuture<String> sendIntent(CreateIntentRequest request) {
        return run(() -> client.sendIntent(request));
    }

    /**
     * @param intentId the intent
     * @return {@link AxmeClient#getIntent(String)}
     */
    public CompletableFuture<Intent> getIntent(String intentId) {
        return run(() -> client.getIntent(intentId));
    }

    /**
     * @param query filters
     * @return {@link AxmeClient#listIntents(QueryParams)}
     */
    public CompletableFuture<IntentListResponse> listIntents(QueryParams query) {
        return run(() -> client.listIntents(query));
    }

    /**
     * @param intentId the intent
     * @param since last seq seen
     * @return {@link AxmeClient#listIntentEvents(String, long)}
     */
    public CompletableFuture<EventListResponse> listIntentEvents(String intentId, long since) {
        return run(() -> client.listIntentEvents(intentId, since));
    }

    /**
     * @param intentId the intent
     * @param result the result
     * @return {@link AxmeClient#resumeIntent(String, Object)}
     */
    public CompletableFuture<IntentWriteResponse> resumeIntent(String intentId, Object result) {
        return run(() -> client.resumeIntent(intentId, result));
    }

    /**
     * @param intentId the intent
     * @param result the result
     * @param deliveryId the delivery; may be null
     * @return {@link AxmeClient#resumeIntent(String, Object, String)}
     */
    public CompletableFuture<IntentWriteResponse> resumeIntent(String intentId, Object result, String deliveryId) {
        return run(() -> client.resumeIntent(intentId, result, deliveryId));
    }

    /**
     * @param intentId the intent
     * @param body the resume body
     * @return {@link AxmeClient#resumeIntentWith(String, Object)}
     */
    public CompletableFuture<IntentWriteResponse> resumeIntentWith(String intentId, Object body) {
        return run(() -> client.resumeIntentWith(intentId, body));
    }

    /**
     * @param intentId the intent
     * @param error the error
     * @return {@link AxmeClient#failIntent(String, IntentError)}
     */
    public CompletableFuture<IntentWriteResponse> failIntent(String intentId, IntentError error) {
        return run(() -> client.failIntent(intentId, error));
    }

    /**
     * @param intentId the intent
     * @param error the error
     * @param deliveryId the delivery; may be null
     * @return {@link AxmeClient#failIntent(String, IntentError, String)}
     */
    public CompletableFuture<IntentWriteResponse> failIntent(String intentId, IntentError error, String deliveryId) {
        return run(() -> client.failIntent(intentId, error, deliveryId));
    }

    /**
     * @param intentId the intent
     * @param code error code
     * @param message error message
     * @return {@link AxmeClient#failIntent(String, String, String)}
     */
    public CompletableFuture<IntentWriteResponse> failIntent(String intentId, String code, String message) {
        return run(() -> client.failIntent(intentId, code, message));
    }

    /**
     * @param intentId the intent
     * @param details progress details; may be null
     * @return {@link AxmeClient#reportProgress(String, Map)}
     */
    public CompletableFuture<IntentWriteResponse> reportProgress(String intentId, Map<String, ?> details) {
        return run(() -> client.reportProgress(intentId, details));
    }

    /**
     * @param intentId the intent
     * @param details progress details; may be null
     * @param deliveryId the delivery; may be null
     * @return {@link AxmeClient#reportProgress(String, Map, String)}
     */
    public CompletableFuture<IntentWriteResponse> reportProgress(String intentId, Map<String, ?> details,
            String deliveryId) {
        return run(() -> client.reportProgress(intentId, details, deliveryId));
    }

    /**
     * @param intentId the intent
     * @param request the resolution
     * @return {@link AxmeClient#resolveIntent}
     */
    public CompletableFuture<IntentWriteResponse> resolveIntent(String intentId, ResolveIntentRequest request) {
        return run(() -> client.resolveIntent(intentId, request));
    }

    /**
     * @param intentId the failed intent
     * @param request optional reason, payload_patch, deadline_at
     * @return {@link AxmeClient#retryIntent}
     */
    public CompletableFuture<RetryIntentResponse> retryIntent(String intentId, RetryIntentRequest request) {
        return run(() -> client.retryIntent(intentId, request));
    }

    /**
     * @param intentId the intent
     * @param reason why
     * @return {@link AxmeClient#cancelIntent(String, String)}
     */
    public CompletableFuture<IntentWriteResponse> cancelIntent(String intentId, String reason) {
        return run(() -> client.cancelIntent(intentId, reason));
    }

    /**
     * @param intentId the intent
     * @param deliveryId the delivery
     * @return {@link AxmeClient#ackIntent}
     */
    public CompletableFuture<AckIntentResponse> ackIntent(String intentId, String deliveryId) {
        return run(() -> client.ackIntent(intentId, deliveryId));
    }

    /**
     * @param intentId the intent
     * @return {@link AxmeClient#getIntentAudit(String)}
     */
    public CompletableFuture<AuditResponse> getIntentAudit(String intentId) {
        return run(() -> client.getIntentAudit(intentId));
    }

    /**
     * @param intentId the intent
     * @return {@link AxmeClient#listNotifications(String)}
     */
    public CompletableFuture<NotificationListResponse> listNotifications(String intentId) {
        return run(() -> client.listNotifications(intentId));
    }

    /**
     * @param request the agent
     * @return {@link AxmeClient#registerAgent(RegisterAgentRequest)}
     */
    public CompletableFuture<AgentRegisteredResponse> registerAgent(RegisterAgentRequest request) {
        return run(() -> client.registerAgent(request));
    }

    /**
     * @param query paging
     * @return {@link AxmeClient#listAgents(QueryParams)}
     */
    public CompletableFuture<AgentListResponse> listAgents(QueryParams query) {
        return run(() -> client.listAgents(query));
    }

    /**
     * @param address the agent
     * @return {@link AxmeClient#getAgent(String)}
     */
    public CompletableFuture<Agent> getAgent(String address) {
        return run(() -> client.getAgent(address));
    }

    /**
     * @param address the agent
     * @return {@link AxmeClient#createAgentKey(String)}
     */
    public CompletableFuture<KeyCreatedResponse> createAgentKey(String address) {
        return run(() -> client.createAgentKey(address));
    }

    /**
     * @param address the agent
     * @return {@link AxmeClient#deleteAgent(String)}
     */
    public CompletableFuture<AgentDeletedResponse> deleteAgent(String address) {
        return run(() -> client.deleteAgent(address));
    }

    /**
     * @param address the agent
     * @return {@link AxmeClient#listAgentKeys(String)}
     */
    public CompletableFuture<KeyListResponse> listAgentKeys(String address) {
        return run(() -> client.listAgentKeys(address));
    }

    /**
     * @param address the agent
     * @param request new secret and overlap; may be null
     * @return {@link AxmeClient#rotateCallbackSecret(String, RotateCallbackSecretRequest)}
     */
    public CompletableFuture<CallbackSecretRotatedResponse> rotateCallbackSecret(String address,
            RotateCallbackSecretRequest request) {
        return run(() -> client.rotateCallbackSecret(address, request));
    }

    /**
     * @param request overlap; may be null
     * @return {@link AxmeClient#rotateWebhookSecret(RotateSecretRequest)}
     */
    public CompletableFuture<WebhookSecretRotatedResponse> rotateWebhookSecret(RotateSecretRequest request) {
        return run(() -> client.rotateWebhookSecret(request));
    }

    /**
     * @param request overlap; may be null
     * @return {@link AxmeClient#rotateLinkSecret(RotateSecretRequest)}
     */
    public CompletableFuture<LinkSecretRotatedResponse> rotateLinkSecret(RotateSecretRequest request) {
        return run(() -> client.rotateLinkSecret(request));
    }

    /**
     * @param query paging
     * @return {@link AxmeClient#listMyTasks(QueryParams)}
     */
    public CompletableFuture<TaskListResponse> listMyTasks(QueryParams query) {
        return run(() -> client.listMyTasks(query));
    }

    /**
     * @param org one address segment
     * @param name one address segment
     * @return {@link AxmeClient#createWorkspace(String, String)}
     */
    public CompletableFuture<WorkspaceCreatedResponse> createWorkspace(String org, String name) {
        return run(() -> client.createWorkspace(org, name));
    }

    /** @return {@link AxmeClient#listWorkspaces()} */
    public CompletableFuture<WorkspaceListResponse> listWorkspaces() {
        return run(() -> client.listWorkspaces());
    }

    /**
     * @param address the agent
     * @param query options
     * @return {@link AxmeClient#pollAgentDeliveries}
     */
    public CompletableFuture<DeliveryPollResponse> pollAgentDeliveries(String address, QueryParams query) {
        return run(() -> client.pollAgentDeliveries(address, query));
    }

    /**
     * @param query filters
     * @return {@link AxmeClient#listTasks(QueryParams)}
     */
    public CompletableFuture<TaskListResponse> listTasks(QueryParams query) {
        return run(() -> client.listTasks(query));
    }

    /**
     * @param intentId the intent
     * @param decision the decision
     * @return {@link AxmeClient#decideTask}
     */
    public CompletableFuture<IntentWriteResponse> decideTask(String intentId, TaskDecision decision) {
        return run(() -> client.decideTask(intentId, decision));
    }

    /**
     * @param intentId the intent
     * @param comment comment
     * @return {@link AxmeClient#approveTask(String, String)}
     */
    public CompletableFuture<IntentWriteResponse> approveTask(String intentId, String comment) {
        return run(() -> client.approveTask(intentId, comment));
    }

    /**
     * @param intentId the intent
     * @param comment comment
     * @return {@link AxmeClient#rejectTask(String, String)}
     */
    public CompletableFuture<IntentWriteResponse> rejectTask(String intentId, String comment) {
        return run(() -> client.rejectTask(intentId, comment));
    }

    /**
     * @param intentId the intent
     * @param outcome outcome
     * @param data form data
     * @param comment comment
     * @return {@link AxmeClient#completeTask(String, String, Map, String)}
     */
    public CompletableFuture<IntentWriteResponse> completeTask(String intentId, String outcome, Map<String, ?> data,
            String comment) {
        return run(() -> client.completeTask(intentId, outcome, data, comment));
    }

    /**
     * @param bundle the bundle
     * @return {@link AxmeClient#applyScenario(ScenarioBundle)}
     */
    public CompletableFuture<ApplyScenarioResponse> applyScenario(ScenarioBundle bundle) {
        return run(() -> client.applyScenario(bundle));
    }

    /**
     * @param bundle the bundle
     * @return {@link AxmeClient#validateScenario(ScenarioBundle)}
     */
    public CompletableFuture<ValidateScenarioResponse> validateScenario(ScenarioBundle bundle) {
        return run(() -> client.validateScenario(bundle));
    }

    /**
     * @param request the key
     * @return {@link AxmeClient#createKey(CreateKeyRequest)}
     */
    public CompletableFuture<KeyCreatedResponse> createKey(CreateKeyRequest request) {
        return run(() -> client.createKey(request));
    }

    /** @return {@link AxmeClient#listKeys()} */
    public CompletableFuture<KeyListResponse> listKeys() {
        return run(() -> client.listKeys());
    }

    /**
     * @param keyId the key
     * @return {@link AxmeClient#revokeKey(String)}
     */
    public CompletableFuture<Key> revokeKey(String keyId) {
        return run(() -> client.revokeKey(keyId));
    }

    /**
     * @param intentId the intent
     * @param timeout the longest to wait
     * @return {@link AxmeClient#waitFor(String, Duration)}; cancelling it never cancels the intent
     */
    public CompletableFuture<Intent> waitFor(String intentId, Duration timeout) {
        return run(() -> client.waitFor(intentId, timeout));
    }
}
