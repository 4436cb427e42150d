package ai.axme.sdk;

import ai.axme.sdk.generated.AckIntentResponse;
import ai.axme.sdk.generated.Agent;
import ai.axme.sdk.generated.AgentDeletedResponse;
import ai.axme.sdk.generated.AgentListResponse;
import ai.axme.sdk.generated.AgentRegisteredResponse;
import ai.axme.sdk.generated.ApplyScenarioResponse;
import ai.axme.sdk.generated.AuditResponse;
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
import ai.axme.sdk.generated.NotificationListResponse;
import ai.axme.sdk.generated.RegisterAgentRequest;
import ai.axme.sdk.generated.ResolveIntentRequest;
import ai.axme.sdk.generated.RetryIntentRequest;
import ai.axme.sdk.generated.RetryIntentResponse;
import ai.axme.sdk.generated.ScenarioBundle;
import ai.axme.sdk.generated.TaskDecision;
import ai.axme.sdk.generated.TaskListResponse;
import ai.axme.sdk.generated.ValidateScenarioResponse;
import ai.axme.sdk.generated.WorkspaceCreatedResponse;
import ai.axme.sdk.generated.WorkspaceListResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code …Async} methods {@link AxmeClient} had before {@link AxmeClient#async()}; kept so existing
 * callers still compile. Each one is {@code async().<operation>(…)}.
 */
interface DeprecatedAsyncMethods {
    /** @return the asynchronous face of this client */
    AxmeAsyncClient async();

    /**
     * @deprecated use {@code async().getHealth(…)} ({@link AxmeAsyncClient#getHealth})
     */
    @Deprecated
    default CompletableFuture<HealthResponse> getHealthAsync() {
        return async().getHealth();
    }

    /**
     * @deprecated use {@code async().createIntent(…)} ({@link AxmeAsyncClient#createIntent})
     */
    @Deprecated
    default CompletableFuture<CreateIntentResponse> createIntentAsync(CreateIntentRequest request) {
        return async().createIntent(request);
    }

    /**
     * @deprecated use {@code async().sendIntent(…)} ({@link AxmeAsyncClient#sendIntent})
     */
    @Deprecated
    default CompletableFuture<String> sendIntentAsync(CreateIntentRequest request) {
        return async().sendIntent(request);
    }

    /**
     * @deprecated use {@code async().getIntent(…)} ({@link AxmeAsyncClient#getIntent})
     */
    @Deprecated
    default CompletableFuture<Intent> getIntentAsync(String intentId) {
        return async().getIntent(intentId);
    }

    /**
     * @deprecated use {@code async().listIntents(…)} ({@link AxmeAsyncClient#listIntents})
     */
    @Deprecated
    default CompletableFuture<IntentListResponse> listIntentsAsync(QueryParams query) {
        return async().listIntents(query);
    }

    /**
     * @deprecated use {@code async().listIntentEvents(…)} ({@link AxmeAsyncClient#listIntentEvents})
     */
    @Deprecated
    default CompletableFuture<EventListResponse> listIntentEventsAsync(String intentId, long since) {
        return async().listIntentEvents(intentId, since);
    }

    /**
     * @deprecated use {@code async().resumeIntent(…)} ({@link AxmeAsyncClient#resumeIntent})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> resumeIntentAsync(String intentId, Object result) {
        return async().resumeIntent(intentId, result);
    }

    /**
     * @deprecated use {@code async().resumeIntent(…)} ({@link AxmeAsyncClient#resumeIntent})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> resumeIntentAsync(String intentId, Object result, String deliveryId) {
        return async().resumeIntent(intentId, result, deliveryId);
    }

    /**
     * @deprecated use {@code async().resumeIntentWith(…)} ({@link AxmeAsyncClient#resumeIntentWith})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> resumeIntentWithAsync(String intentId, Object body) {
        return async().resumeIntentWith(intentId, body);
    }

    /**
     * @deprecated use {@code async().failIntent(…)} ({@link AxmeAsyncClient#failIntent})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> failIntentAsync(String intentId, IntentError error) {
        return async().failIntent(intentId, error);
    }

    /**
     * @deprecated use {@code async().failIntent(…)} ({@link AxmeAsyncClient#failIntent})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> failIntentAsync(String intentId, IntentError error, String deliveryId) {
        return async().failIntent(intentId, error, deliveryId);
    }

    /**
     * @deprecated use {@code async().failIntent(…)} ({@link AxmeAsyncClient#failIntent})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> failIntentAsync(String intentId, String code, String message) {
        return async().failIntent(intentId, code, message);
    }

    /**
     * @deprecated use {@code async().reportProgress(…)} ({@link AxmeAsyncClient#reportProgress})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> reportProgressAsync(String intentId, Map<String, ?> details) {
        return async().reportProgress(intentId, details);
    }

    /**
     * @deprecated use {@code async().reportProgress(…)} ({@link AxmeAsyncClient#reportProgress})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> reportProgressAsync(String intentId, Map<String, ?> details,
            String deliveryId) {
        return async().reportProgress(intentId, details, deliveryId);
    }

    /**
     * @deprecated use {@code async().resolveIntent(…)} ({@link AxmeAsyncClient#resolveIntent})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> resolveIntentAsync(String intentId, ResolveIntentRequest request) {
        return async().resolveIntent(intentId, request);
    }

    /**
     * @deprecated use {@code async().retryIntent(…)} ({@link AxmeAsyncClient#retryIntent})
     */
    @Deprecated
    default CompletableFuture<RetryIntentResponse> retryIntentAsync(String intentId, RetryIntentRequest request) {
        return async().retryIntent(intentId, request);
    }

    /**
     * @deprecated use {@code async().cancelIntent(…)} ({@link AxmeAsyncClient#cancelIntent})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> cancelIntentAsync(String intentId, String reason) {
        return async().cancelIntent(intentId, reason);
    }

    /**
     * @deprecated use {@code async().ackIntent(…)} ({@link AxmeAsyncClient#ackIntent})
     */
    @Deprecated
    default CompletableFuture<AckIntentResponse> ackIntentAsync(String intentId, String deliveryId) {
        return async().ackIntent(intentId, deliveryId);
    }

    /**
     * @deprecated use {@code async().getIntentAudit(…)} ({@link AxmeAsyncClient#getIntentAudit})
     */
    @Deprecated
    default CompletableFuture<AuditResponse> getIntentAuditAsync(String intentId) {
        return async().getIntentAudit(intentId);
    }

    /**
     * @deprecated use {@code async().listNotifications(…)} ({@link AxmeAsyncClient#listNotifications})
     */
    @Deprecated
    default CompletableFuture<NotificationListResponse> listNotificationsAsync(String intentId) {
        return async().listNotifications(intentId);
    }

    /**
     * @deprecated use {@code async().registerAgent(…)} ({@link AxmeAsyncClient#registerAgent})
     */
    @Deprecated
    default CompletableFuture<AgentRegisteredResponse> registerAgentAsync(RegisterAgentRequest request) {
        return async().registerAgent(request);
    }

    /**
     * @deprecated use {@code async().listAgents(…)} ({@link AxmeAsyncClient#listAgents})
     */
    @Deprecated
    default CompletableFuture<AgentListResponse> listAgentsAsync(QueryParams query) {
        return async().listAgents(query);
    }

    /**
     * @deprecated use {@code async().getAgent(…)} ({@link AxmeAsyncClient#getAgent})
     */
    @Deprecated
    default CompletableFuture<Agent> getAgentAsync(String address) {
        return async().getAgent(address);
    }

    /**
     * @deprecated use {@code async().createAgentKey(…)} ({@link AxmeAsyncClient#createAgentKey})
     */
    @Deprecated
    default CompletableFuture<KeyCreatedResponse> createAgentKeyAsync(String address) {
        return async().createAgentKey(address);
    }

    /**
     * @deprecated use {@code async().deleteAgent(…)} ({@link AxmeAsyncClient#deleteAgent})
     */
    @Deprecated
    default CompletableFuture<AgentDeletedResponse> deleteAgentAsync(String address) {
        return async().deleteAgent(address);
    }

    /**
     * @deprecated use {@code async().listAgentKeys(…)} ({@link AxmeAsyncClient#listAgentKeys})
     */
    @Deprecated
    default CompletableFuture<KeyListResponse> listAgentKeysAsync(String address) {
        return async().listAgentKeys(address);
    }

    /**
     * @deprecated use {@code async().listMyTasks(…)} ({@link AxmeAsyncClient#listMyTasks})
     */
    @Deprecated
    default CompletableFuture<TaskListResponse> listMyTasksAsync(QueryParams query) {
        return async().listMyTasks(query);
    }

    /**
     * @deprecated use {@code async().createWorkspace(…)} ({@link AxmeAsyncClient#createWorkspace})
     */
    @Deprecated
    default CompletableFuture<WorkspaceCreatedResponse> createWorkspaceAsync(String org, String name) {
        return async().createWorkspace(org, name);
    }

    /**
     * @deprecated use {@code async().listWorkspaces(…)} ({@link AxmeAsyncClient#listWorkspaces})
     */
    @Deprecated
    default CompletableFuture<WorkspaceListResponse> listWorkspacesAsync() {
        return async().listWorkspaces();
    }

    /**
     * @deprecated use {@code async().pollAgentDeliveries(…)} ({@link AxmeAsyncClient#pollAgentDeliveries})
     */
    @Deprecated
    default CompletableFuture<DeliveryPollResponse> pollAgentDeliveriesAsync(String address, QueryParams query) {
        return async().pollAgentDeliveries(address, query);
    }

    /**
     * @deprecated use {@code async().listTasks(…)} ({@link AxmeAsyncClient#listTasks})
     */
    @Deprecated
    default CompletableFuture<TaskListResponse> listTasksAsync(QueryParams query) {
        return async().listTasks(query);
    }

    /**
     * @deprecated use {@code async().decideTask(…)} ({@link AxmeAsyncClient#decideTask})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> decideTaskAsync(String intentId, TaskDecision decision) {
        return async().decideTask(intentId, decision);
    }

    /**
     * @deprecated use {@code async().approveTask(…)} ({@link AxmeAsyncClient#approveTask})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> approveTaskAsync(String intentId, String comment) {
        return async().approveTask(intentId, comment);
    }

    /**
     * @deprecated use {@code async().rejectTask(…)} ({@link AxmeAsyncClient#rejectTask})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> rejectTaskAsync(String intentId, String comment) {
        return async().rejectTask(intentId, comment);
    }

    /**
     * @deprecated use {@code async().completeTask(…)} ({@link AxmeAsyncClient#completeTask})
     */
    @Deprecated
    default CompletableFuture<IntentWriteResponse> completeTaskAsync(String intentId, String outcome, Map<String, ?> data,
            String comment) {
        return async().completeTask(intentId, outcome, data, comment);
    }

    /**
     * @deprecated use {@code async().applyScenario(…)} ({@link AxmeAsyncClient#applyScenario})
     */
    @Deprecated
    default CompletableFuture<ApplyScenarioResponse> applyScenarioAsync(ScenarioBundle bundle) {
        return async().applyScenario(bundle);
    }

    /**
     * @deprecated use {@code async().validateScenario(…)} ({@link AxmeAsyncClient#validateScenario})
     */
    @Deprecated
    default CompletableFuture<ValidateScenarioResponse> validateScenarioAsync(ScenarioBundle bundle) {
        return async().validateScenario(bundle);
    }

    /**
     * @deprecated use {@code async().createKey(…)} ({@link AxmeAsyncClient#createKey})
     */
    @Deprecated
    default CompletableFuture<KeyCreatedResponse> createKeyAsync(CreateKeyRequest request) {
        return async().createKey(request);
    }

    /**
     * @deprecated use {@code async().listKeys(…)} ({@link AxmeAsyncClient#listKeys})
     */
    @Deprecated
    default CompletableFuture<KeyListResponse> listKeysAsync() {
        return async().listKeys();
    }

    /**
     * @deprecated use {@code async().revokeKey(…)} ({@link AxmeAsyncClient#revokeKey})
     */
    @Deprecated
    default CompletableFuture<Key> revokeKeyAsync(String keyId) {
        return async().revokeKey(keyId);
    }

    /**
     * @deprecated use {@code async().waitFor(…)} ({@link AxmeAsyncClient#waitFor})
     */
    @Deprecated
    default CompletableFuture<Intent> waitForAsync(String intentId, Duration timeout) {
        return async().waitFor(intentId, timeout);
    }
}
