using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Http;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    // Every JSON operation of the spec, written by hand (docs/sdk-conventions.md, "Operations"): one
    // method per operationId named by spec/naming.yaml, plus an overload that takes only the
    // CancellationToken. Each summary starts with the operation's <c>METHOD path</c> and (operationId);
    // `make -C dotnet gen-check` (tools/check_operations.py) holds them to spec/dist/openapi.json.
    // The streams (Observe, ListenAsync) and the helpers (SendIntentAsync, ApproveTaskAsync, …) live
    // in the other partial files.
    public partial class AxmeClient
    {
        // --- intents ------------------------------------------------------------------------

        /// <summary><c>GET /health</c>: (getHealth) Liveness and protocol version.</summary>
        public async Task<HealthResponse> GetHealthAsync(RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => AxmeModel.FromJson<HealthResponse>(await Pipeline.SendAsync(HttpMethod.Get, "health", NoQuery, null, options, cancellationToken, anonymous: true).ConfigureAwait(false));
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<HealthResponse> GetHealthAsync(CancellationToken cancellationToken) => GetHealthAsync(null, cancellationToken);

        /// <summary><c>GET /health/ready</c>: (getReadiness) Readiness (the server's database answers).</summary>
        public async Task<HealthResponse> GetReadinessAsync(RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => AxmeModel.FromJson<HealthResponse>(await Pipeline.SendAsync(HttpMethod.Get, "health/ready", NoQuery, null, options, cancellationToken, anonymous: true).ConfigureAwait(false));
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<HealthResponse> GetReadinessAsync(CancellationToken cancellationToken) => GetReadinessAsync(null, cancellationToken);

        /// <summary><c>GET /v1/intents</c>: (listIntents) List intents visible to the caller, newest first.</summary>
        public async Task<IntentListResponse> ListIntentsAsync(string status = null, string toAgent = null, string fromAgent = null, long? limit = null, string cursor = null,
            RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<IntentListResponse>(HttpMethod.Get, "v1/intents", null, options, cancellationToken,
                Query("status", status), Query("to_agent", toAgent), Query("from_agent", fromAgent), Query("limit", limit), Query("cursor", cursor)).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<IntentListResponse> ListIntentsAsync(CancellationToken cancellationToken) => ListIntentsAsync(null, null, null, null, null, null, cancellationToken);

        /// <summary><c>POST /v1/intents</c>: (createIntent) Submit an intent to an agent.</summary>
        public async Task<CreateIntentResponse> CreateIntentAsync(CreateIntentRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<CreateIntentResponse>(HttpMethod.Post, "v1/intents", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<CreateIntentResponse> CreateIntentAsync(CreateIntentRequest request, CancellationToken cancellationToken) => CreateIntentAsync(request, null, cancellationToken);

        /// <summary><c>GET /v1/intents/{intent_id}</c>: (getIntent) Read one intent.</summary>
        public async Task<IntentResponse> GetIntentAsync(string intentId, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<IntentResponse>(HttpMethod.Get, IntentPath(intentId), null, options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<IntentResponse> GetIntentAsync(string intentId, CancellationToken cancellationToken) => GetIntentAsync(intentId, null, cancellationToken);

        /// <summary><c>GET /v1/intents/{intent_id}/events</c>: (listIntentEvents) Events with seq &gt; since, in seq order.</summary>
        public async Task<EventListResponse> ListIntentEventsAsync(string intentId, long? since = null, long? limit = null,
            RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<EventListResponse>(HttpMethod.Get, IntentPath(intentId) + "/events", null, options, cancellationToken,
                Query("since", since), Query("limit", limit)).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<EventListResponse> ListIntentEventsAsync(string intentId, CancellationToken cancellationToken) => ListIntentEventsAsync(intentId, null, null, null, cancellationToken);

        /// <summary><c>POST /v1/intents/{intent_id}/resume</c>: (resumeIntent) Report an agent result, a human task result, progress, or a control action.</summary>
        public async Task<IntentWriteResponse> ResumeIntentWithAsync(string intentId, ResumeBody request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<IntentWriteResponse>(HttpMethod.Post, IntentPath(intentId) + "/resume", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<IntentWriteResponse> ResumeIntentWithAsync(string intentId, ResumeBody request, CancellationToken cancellationToken) => ResumeIntentWithAsync(intentId, request, null, cancellationToken);

        /// <summary><c>POST /v1/intents/{intent_id}/resolve</c>: (resolveIntent) Move an intent to COMPLETED, FAILED or CANCELED.</summary>
        public async Task<IntentWriteResponse> ResolveIntentAsync(string intentId, ResolveIntentRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<IntentWriteResponse>(HttpMethod.Post, IntentPath(intentId) + "/resolve", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<IntentWriteResponse> ResolveIntentAsync(string intentId, ResolveIntentRequest request, CancellationToken cancellationToken) => ResolveIntentAsync(intentId, request, null, cancellationToken);

        /// <summary><c>POST /v1/intents/{intent_id}/retry</c>: (retryIntent) Start a new attempt of a FAILED or TIMED_OUT intent from the step that failed (behavior/retry-intent.md).</summary>
        public async Task<RetryIntentResponse> RetryIntentAsync(string intentId, RetryIntentRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<RetryIntentResponse>(HttpMethod.Post, IntentPath(intentId) + "/retry", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<RetryIntentResponse> RetryIntentAsync(string intentId, RetryIntentRequest request, CancellationToken cancellationToken) => RetryIntentAsync(intentId, request, null, cancellationToken);

        /// <summary><c>POST /v1/intents/{intent_id}/ack</c>: (ackIntent) Acknowledge a delivery (ACKNOWLEDGED; the lease is renewed).</summary>
        public async Task<AckIntentResponse> AckIntentAsync(string intentId, AckIntentRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<AckIntentResponse>(HttpMethod.Post, IntentPath(intentId) + "/ack", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<AckIntentResponse> AckIntentAsync(string intentId, AckIntentRequest request, CancellationToken cancellationToken) => AckIntentAsync(intentId, request, null, cancellationToken);

        /// <summary><c>GET /v1/intents/{intent_id}/audit</c>: (getIntentAudit) The intent's audit trail (who, when, what, with what context), one page at a time.</summary>
        public async Task<AuditResponse> GetIntentAuditAsync(string intentId, long? since = null, long? limit = null,
            RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<AuditResponse>(HttpMethod.Get, IntentPath(intentId) + "/audit", null, options, cancellationToken,
                Query("since", since), Query("limit", limit)).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<AuditResponse> GetIntentAuditAsync(string intentId, CancellationToken cancellationToken) => GetIntentAuditAsync(intentId, null, null, null, cancellationToken);

        /// <summary><c>GET /v1/intents/{intent_id}/notifications</c>: (listNotifications) The intent's notifications (email, webhook, Slack) with their delivery status, oldest first (REQ-NOTIFY-005).</summary>
        public async Task<NotificationListResponse> ListNotificationsAsync(string intentId, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<NotificationListResponse>(HttpMethod.Get, IntentPath(intentId) + "/notifications", null, options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<NotificationListResponse> ListNotificationsAsync(string intentId, CancellationToken cancellationToken) => ListNotificationsAsync(intentId, null, cancellationToken);

        // --- agents -------------------------------------------------------------------------

        /// <summary><c>GET /v1/agents</c>: (listAgents) List registered agents of the workspace.</summary>
        public async Task<AgentListResponse> ListAgentsAsync(long? limit = null, string cursor = null, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<AgentListResponse>(HttpMethod.Get, "v1/agents", null, options, cancellationToken, Query("limit", limit), Query("cursor", cursor)).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<AgentListResponse> ListAgentsAsync(CancellationToken cancellationToken) => ListAgentsAsync(null, null, null, cancellationToken);

        /// <summary><c>POST /v1/agents</c>: (registerAgent) Register an agent and get its first key (shown once).</summary>
        public async Task<AgentRegisteredResponse> RegisterAgentAsync(RegisterAgentRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<AgentRegisteredResponse>(HttpMethod.Post, "v1/agents", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<AgentRegisteredResponse> RegisterAgentAsync(RegisterAgentRequest request, CancellationToken cancellationToken) => RegisterAgentAsync(request, null, cancellationToken);

        /// <summary><c>GET /v1/agents/{address}</c>: (getAgent) Read one agent.</summary>
        public async Task<AgentResponse> GetAgentAsync(string address, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<AgentResponse>(HttpMethod.Get, AgentPath(address), null, options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<AgentResponse> GetAgentAsync(string address, CancellationToken cancellationToken) => GetAgentAsync(address, null, cancellationToken);

        /// <summary><c>DELETE /v1/agents/{address}</c>: (deleteAgent) Deregister an agent and revoke its keys (REQ-AUTH-015).</summary>
        public async Task<AgentDeletedResponse> DeleteAgentAsync(string address, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<AgentDeletedResponse>(HttpMethod.Delete, AgentPath(address), null, options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<AgentDeletedResponse> DeleteAgentAsync(string address, CancellationToken cancellationToken) => DeleteAgentAsync(address, null, cancellationToken);

        /// <summary><c>GET /v1/agents/{address}/keys</c>: (listAgentKeys) The keys of one agent, metadata only (REQ-AUTH-016).</summary>
        public async Task<KeyListResponse> ListAgentKeysAsync(string address, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<KeyListResponse>(HttpMethod.Get, AgentPath(address) + "/keys", null, options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<KeyListResponse> ListAgentKeysAsync(string address, CancellationToken cancellationToken) => ListAgentKeysAsync(address, null, cancellationToken);

        /// <summary><c>POST /v1/agents/{address}/keys</c>: (createAgentKey) Create another key for an agent (shown once).</summary>
        public async Task<KeyCreatedResponse> CreateAgentKeyAsync(string address, CreateAgentKeyRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<KeyCreatedResponse>(HttpMethod.Post, AgentPath(address) + "/keys", Optional(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<KeyCreatedResponse> CreateAgentKeyAsync(string address, CreateAgentKeyRequest request, CancellationToken cancellationToken) => CreateAgentKeyAsync(address, request, null, cancellationToken);

        /// <summary><c>POST /v1/agents/{address}/callback-secret</c>: (rotateCallbackSecret) Rotate an http agent's callback secret; the previous one stays valid for the overlap window (REQ-SECRET-004, REQ-SECRET-006).</summary>
        public async Task<CallbackSecretRotatedResponse> RotateCallbackSecretAsync(string address, RotateCallbackSecretRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<CallbackSecretRotatedResponse>(HttpMethod.Post, AgentPath(address) + "/callback-secret", Optional(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<CallbackSecretRotatedResponse> RotateCallbackSecretAsync(string address, RotateCallbackSecretRequest request, CancellationToken cancellationToken) => RotateCallbackSecretAsync(address, request, null, cancellationToken);

        /// <summary><c>POST /v1/workspace/webhook-secret</c>: (rotateWebhookSecret) Rotate the workspace's webhook-signing secret (REQ-SECRET-007); admin only.</summary>
        public async Task<WebhookSecretRotatedResponse> RotateWebhookSecretAsync(RotateSecretRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<WebhookSecretRotatedResponse>(HttpMethod.Post, "v1/workspace/webhook-secret", Optional(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<WebhookSecretRotatedResponse> RotateWebhookSecretAsync(RotateSecretRequest request, CancellationToken cancellationToken) => RotateWebhookSecretAsync(request, null, cancellationToken);

        /// <summary><c>POST /v1/server/link-secret</c>: (rotateLinkSecret) Rotate the server's link-signing secret (REQ-SECRET-008); an admin key of the server's first workspace only. The secret is never returned.</summary>
        public async Task<LinkSecretRotatedResponse> RotateLinkSecretAsync(RotateSecretRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<LinkSecretRotatedResponse>(HttpMethod.Post, "v1/server/link-secret", Optional(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<LinkSecretRotatedResponse> RotateLinkSecretAsync(RotateSecretRequest request, CancellationToken cancellationToken) => RotateLinkSecretAsync(request, null, cancellationToken);

        /// <summary><c>GET /v1/agents/{address}/intents</c>: (pollAgentDeliveries) Long-poll for deliveries (poll binding).</summary>
        public async Task<DeliveryPollResponse> PollAgentDeliveriesAsync(string address, string status = null, long? waitSeconds = null, long? limit = null,
            RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<DeliveryPollResponse>(HttpMethod.Get, AgentPath(address) + "/intents", null, options, cancellationToken,
                Query("status", status), Query("wait_seconds", waitSeconds), Query("limit", limit)).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<DeliveryPollResponse> PollAgentDeliveriesAsync(string address, CancellationToken cancellationToken) => PollAgentDeliveriesAsync(address, null, null, null, null, cancellationToken);

        // --- humans -------------------------------------------------------------------------

        /// <summary><c>GET /v1/tasks</c>: (listTasks) Human tasks visible to the caller (a human key sees its assignments).</summary>
        public async Task<TaskListResponse> ListTasksAsync(string status = null, string assignee = null, long? limit = null, string cursor = null,
            RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<TaskListResponse>(HttpMethod.Get, "v1/tasks", null, options, cancellationToken,
                Query("status", status), Query("assignee", assignee), Query("limit", limit), Query("cursor", cursor)).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<TaskListResponse> ListTasksAsync(CancellationToken cancellationToken) => ListTasksAsync(null, null, null, null, null, cancellationToken);

        /// <summary><c>GET /v1/me/tasks</c>: (listMyTasks) The calling human's inbox, pending tasks oldest first (REQ-HUMAN-024).</summary>
        public async Task<TaskListResponse> ListMyTasksAsync(long? limit = null, string cursor = null, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<TaskListResponse>(HttpMethod.Get, "v1/me/tasks", null, options, cancellationToken, Query("limit", limit), Query("cursor", cursor)).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<TaskListResponse> ListMyTasksAsync(CancellationToken cancellationToken) => ListMyTasksAsync(null, null, null, cancellationToken);

        /// <summary><c>POST /v1/tasks/{intent_id}/decision</c>: (decideTask) Decide the current human step of an intent.</summary>
        public async Task<IntentWriteResponse> DecideTaskAsync(string intentId, TaskDecision request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<IntentWriteResponse>(HttpMethod.Post, "v1/tasks/" + PathSegment(intentId, "intent_id", "intentId") + "/decision", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<IntentWriteResponse> DecideTaskAsync(string intentId, TaskDecision request, CancellationToken cancellationToken) => DecideTaskAsync(intentId, request, null, cancellationToken);

        // --- scenarios and admin ------------------------------------------------------------

        /// <summary><c>POST /v1/scenarios/apply</c>: (applyScenario) Provision a bundle's agents and start its workflow as one intent.</summary>
        public async Task<ApplyScenarioResponse> ApplyScenarioAsync(ScenarioBundle request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<ApplyScenarioResponse>(HttpMethod.Post, "v1/scenarios/apply", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<ApplyScenarioResponse> ApplyScenarioAsync(ScenarioBundle request, CancellationToken cancellationToken) => ApplyScenarioAsync(request, null, cancellationToken);

        /// <summary><c>POST /v1/scenarios/validate</c>: (validateScenario) Report every problem of a candidate bundle at once (no side effects).</summary>
        public async Task<ValidateScenarioResponse> ValidateScenarioAsync(JObject request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (request == null) throw new ArgumentNullException("request");
            return await CallAsync<ValidateScenarioResponse>(HttpMethod.Post, "v1/scenarios/validate", request, options, cancellationToken).ConfigureAwait(false);
        }
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<ValidateScenarioResponse> ValidateScenarioAsync(JObject request, CancellationToken cancellationToken) => ValidateScenarioAsync(request, null, cancellationToken);

        /// <summary><c>GET /v1/admin/keys</c>: (listKeys) List the workspace's keys (metadata only, never secrets).</summary>
        public async Task<KeyListResponse> ListKeysAsync(RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<KeyListResponse>(HttpMethod.Get, "v1/admin/keys", null, options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<KeyListResponse> ListKeysAsync(CancellationToken cancellationToken) => ListKeysAsync(null, cancellationToken);

        /// <summary><c>POST /v1/admin/keys</c>: (createKey) Create an admin, agent or human key (the secret is shown once).</summary>
        public async Task<KeyCreatedResponse> CreateKeyAsync(CreateKeyRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<KeyCreatedResponse>(HttpMethod.Post, "v1/admin/keys", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<KeyCreatedResponse> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken) => CreateKeyAsync(request, null, cancellationToken);

        /// <summary><c>DELETE /v1/admin/keys/{key_id}</c>: (revokeKey) Revoke a key (idempotent; a revoked key is 401 from then on).</summary>
        public async Task<KeyResponse> RevokeKeyAsync(string keyId, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<KeyResponse>(HttpMethod.Delete, "v1/admin/keys/" + PathSegment(keyId, "key_id", "keyId"), null, options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<KeyResponse> RevokeKeyAsync(string keyId, CancellationToken cancellationToken) => RevokeKeyAsync(keyId, null, cancellationToken);

        /// <summary><c>POST /v1/admin/workspaces</c>: (createWorkspace) Create a workspace and its first admin key, shown once (operator keys, REQ-AUTH-017).</summary>
        public async Task<WorkspaceCreatedResponse> CreateWorkspaceAsync(CreateWorkspaceRequest request, RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<WorkspaceCreatedResponse>(HttpMethod.Post, "v1/admin/workspaces", Required(request), options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<WorkspaceCreatedResponse> CreateWorkspaceAsync(CreateWorkspaceRequest request, CancellationToken cancellationToken) => CreateWorkspaceAsync(request, null, cancellationToken);

        /// <summary><c>GET /v1/admin/workspaces</c>: (listWorkspaces) Every workspace on this server, oldest first (operator keys, REQ-AUTH-017).</summary>
        public async Task<WorkspaceListResponse> ListWorkspacesAsync(RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
            => await CallAsync<WorkspaceListResponse>(HttpMethod.Get, "v1/admin/workspaces", null, options, cancellationToken).ConfigureAwait(false);
        /// <summary>Same as the overload with <see cref="RequestOptions"/>, using the client defaults.</summary>
        public Task<WorkspaceListResponse> ListWorkspacesAsync(CancellationToken cancellationToken) => ListWorkspacesAsync(null, cancellationToken);

        // --- what every operation above shares ----------------------------------------------

        private static readonly KeyValuePair<string, string>[] NoQuery = new KeyValuePair<string, string>[0];

        // Callers reach this from an async method, so a bad argument faults the returned task
        // instead of throwing from the call itself.
        private async Task<T> CallAsync<T>(HttpMethod method, string path, JObject body, RequestOptions options,
            CancellationToken cancellationToken, params KeyValuePair<string, string>[] query) where T : AxmeModel, new()
        {
            JObject json = await Pipeline.SendAsync(method, path, query, body, options, cancellationToken).ConfigureAwait(false);
            return AxmeModel.FromJson<T>(json);
        }

        private static KeyValuePair<string, string> Query(string name, string value)
        {
            return new KeyValuePair<string, string>(name, value);
        }

        private static KeyValuePair<string, string> Query(string name, long? value)
        {
            return Query(name, value.HasValue ? value.Value.ToString(CultureInfo.InvariantCulture) : null);
        }

        // A path parameter, percent-encoded as one segment; an empty one is an ArgumentException.
        private static string PathSegment(string value, string wireName, string parameterName)
        {
            if (string.IsNullOrEmpty(value)) throw new ArgumentException(wireName + " is required", parameterName);
            return Transport.Segment(value);
        }

        private static string IntentPath(string intentId)
        {
            return "v1/intents/" + PathSegment(intentId, "intent_id", "intentId");
        }

        private static string AgentPath(string address)
        {
            return "v1/agents/" + PathSegment(address, "address", "address");
        }

        // A required request body (the spec's requestBody.required).
        private static JObject Required(AxmeModel request)
        {
            if (request == null) throw new ArgumentNullException("request");
            return request.ToJson();
        }

        // An optional request body: a POST always sends a JSON object, {} when none is given.
        private static JObject Optional(AxmeModel request)
        {
            return request == null ? new JObject() : request.ToJson();
        }
    }
}
