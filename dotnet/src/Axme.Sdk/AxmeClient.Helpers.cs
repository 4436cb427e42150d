using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    // SDK-only helpers (spec/naming.yaml): thin, named wrappers over the operations (AxmeClient.Operations.cs).
    public partial class AxmeClient
    {
        /// <summary>Creates an intent and returns its <c>intent_id</c>.</summary>
        public async Task<string> SendIntentAsync(CreateIntentRequest request, RequestOptions options = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            CreateIntentResponse created = await CreateIntentAsync(request, options, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(created.IntentId))
            {
                throw new AxmeException("createIntent response has no intent_id: " + created);
            }
            return created.IntentId;
        }

        public Task<string> SendIntentAsync(CreateIntentRequest request, CancellationToken cancellationToken)
        {
            return SendIntentAsync(request, null, cancellationToken);
        }

        /// <summary>The error code of a failure that names none: a handler's exception, or FailIntentAsync without a code.</summary>
        public const string DefaultErrorCode = "agent_error";

        /// <summary>
        /// The current handler completes its step: resume <c>agent_result</c> / <c>complete</c> with
        /// <paramref name="result"/> (null: <c>{}</c>). With <paramref name="deliveryId"/>, a delivery that is no
        /// longer current is a <see cref="ConflictException"/> (<c>stale_delivery</c>). Any other resume body:
        /// <see cref="ResumeIntentWithAsync(string, ResumeBody, RequestOptions, CancellationToken)"/>.
        /// </summary>
        public Task<IntentWriteResponse> ResumeIntentAsync(string intentId, JObject result, string deliveryId = null,
            RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return ResumeIntentWithAsync(intentId, ResumeBody.Complete(result, deliveryId), options, cancellationToken);
        }

        public Task<IntentWriteResponse> ResumeIntentAsync(string intentId, JObject result, CancellationToken cancellationToken)
        {
            return ResumeIntentAsync(intentId, result, null, null, cancellationToken);
        }

        /// <summary>
        /// The current handler gives up: resume <c>agent_result</c> / <c>fail</c> → FAILED with this error
        /// ({code, message, details}; a missing or empty code is sent as <see cref="DefaultErrorCode"/>).
        /// </summary>
        public Task<IntentWriteResponse> FailIntentAsync(string intentId, IntentError error, string deliveryId = null,
            RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (error == null) throw new ArgumentNullException("error");
            IntentError failure = AxmeModel.FromJson<IntentError>((JObject)error.ToJson().DeepClone());
            if (string.IsNullOrEmpty(failure.Code)) failure.Code = DefaultErrorCode;
            return ResumeIntentWithAsync(intentId, ResumeBody.Fail(failure, deliveryId), options, cancellationToken);
        }

        public Task<IntentWriteResponse> FailIntentAsync(string intentId, IntentError error, CancellationToken cancellationToken)
        {
            return FailIntentAsync(intentId, error, null, null, cancellationToken);
        }

        /// <summary>The current handler reports progress: IN_PROGRESS, an <c>intent.progress</c> event, and a longer lease.</summary>
        public Task<IntentWriteResponse> ReportProgressAsync(string intentId, JObject details = null, string deliveryId = null,
            RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return ResumeIntentWithAsync(intentId, ResumeBody.Progress(details, deliveryId), options, cancellationToken);
        }

        public Task<IntentWriteResponse> ReportProgressAsync(string intentId, CancellationToken cancellationToken)
        {
            return ReportProgressAsync(intentId, null, null, null, cancellationToken);
        }

        /// <summary>Resolves the intent as CANCELED (initiator or admin). Terminal intents answer 409.</summary>
        public Task<IntentWriteResponse> CancelIntentAsync(string intentId, string reason = null, RequestOptions options = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            var body = new ResolveIntentRequest { Status = IntentStatus.Canceled, Reason = reason };
            return ResolveIntentAsync(intentId, body, options, cancellationToken);
        }

        public Task<IntentWriteResponse> CancelIntentAsync(string intentId, CancellationToken cancellationToken)
        {
            return CancelIntentAsync(intentId, null, null, cancellationToken);
        }

        /// <summary>Human decision <c>approved</c> on the current human step.</summary>
        public Task<IntentWriteResponse> ApproveTaskAsync(string intentId, string comment = null, RequestOptions options = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return CompleteTaskAsync(intentId, "approved", null, comment, options, cancellationToken);
        }

        public Task<IntentWriteResponse> ApproveTaskAsync(string intentId, CancellationToken cancellationToken)
        {
            return ApproveTaskAsync(intentId, null, null, cancellationToken);
        }

        /// <summary>Human decision <c>rejected</c>: the intent becomes FAILED with error code <c>rejected</c>.</summary>
        public Task<IntentWriteResponse> RejectTaskAsync(string intentId, string comment = null, RequestOptions options = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return CompleteTaskAsync(intentId, "rejected", null, comment, options, cancellationToken);
        }

        public Task<IntentWriteResponse> RejectTaskAsync(string intentId, CancellationToken cancellationToken)
        {
            return RejectTaskAsync(intentId, null, null, cancellationToken);
        }

        /// <summary>Any human decision (<paramref name="outcome"/> from the task's allowed outcomes) with optional form data and comment.</summary>
        public Task<IntentWriteResponse> CompleteTaskAsync(string intentId, string outcome, JObject data = null, string comment = null,
            RequestOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (string.IsNullOrEmpty(outcome)) throw new ArgumentException("outcome is required", "outcome");
            var decision = new TaskDecision { Outcome = outcome, Data = data, Comment = comment };
            return DecideTaskAsync(intentId, decision, options, cancellationToken);
        }

        public Task<IntentWriteResponse> CompleteTaskAsync(string intentId, string outcome, JObject data, CancellationToken cancellationToken)
        {
            return CompleteTaskAsync(intentId, outcome, data, null, null, cancellationToken);
        }
    }
}
