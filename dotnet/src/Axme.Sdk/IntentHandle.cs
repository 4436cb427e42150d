using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>
    /// One intent as seen by the client that submitted it (REQ-CLIENT-010): <c>AxmeClient.SubmitIntentAsync</c>
    /// returns one, <see cref="AxmeClient.Intent(string)"/> makes one for an existing intent without a request.
    /// <see cref="CompleteAsync"/> and <c>FailAsync</c> are the initiator's writes (resolveIntent,
    /// REQ-RESOLVE-002); the handling agent resumes instead.
    /// </summary>
    public sealed class IntentHandle
    {
        /// <summary>The code <c>FailAsync</c> sends when the error has none (resolveIntent's own default).</summary>
        public const string DefaultFailureCode = "failed";

        private readonly AxmeClient _client;

        internal IntentHandle(AxmeClient client, string intentId, CreateIntentResponse created)
        {
            if (string.IsNullOrEmpty(intentId)) throw new ArgumentException("an intent handle needs an intent id", "intentId");
            _client = client;
            IntentId = intentId;
            Created = created;
        }

        /// <summary>The intent's id.</summary>
        public string IntentId { get; private set; }

        /// <summary>The createIntent answer when the handle came from SubmitIntentAsync, else null.</summary>
        public CreateIntentResponse Created { get; private set; }

        /// <summary>The intent as it is now.</summary>
        public async Task<Intent> GetAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return (await _client.GetIntentAsync(IntentId, cancellationToken).ConfigureAwait(false)).Intent;
        }

        /// <summary>The intent once terminal; <see cref="WaitTimeoutException"/> after <paramref name="timeout"/>.</summary>
        public Task<Intent> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return _client.WaitForAsync(IntentId, timeout, cancellationToken);
        }

        /// <summary>Its events as they happen, ending with the terminal one.</summary>
        public IntentEventStream Observe(ObserveOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return _client.Observe(IntentId, options, cancellationToken);
        }

        /// <summary>Ends it COMPLETED with <paramref name="result"/> (null: <c>{}</c>).</summary>
        public Task<IntentWriteResponse> CompleteAsync(JObject result = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            var request = new ResolveIntentRequest { Status = "COMPLETED", Result = result ?? new JObject() };
            return _client.ResolveIntentAsync(IntentId, request, cancellationToken);
        }

        /// <summary>Ends it FAILED with <paramref name="error"/>; a missing or empty code is sent as <c>failed</c>.</summary>
        public Task<IntentWriteResponse> FailAsync(IntentError error, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (error == null) throw new ArgumentNullException("error");
            IntentError failure = AxmeModel.FromJson<IntentError>((JObject)error.ToJson().DeepClone());
            if (string.IsNullOrEmpty(failure.Code)) failure.Code = DefaultFailureCode;
            return _client.ResolveIntentAsync(IntentId, new ResolveIntentRequest { Status = "FAILED", Error = failure }, cancellationToken);
        }

        /// <summary>Ends it FAILED with code <c>failed</c> and <paramref name="message"/>.</summary>
        public Task<IntentWriteResponse> FailAsync(string message, CancellationToken cancellationToken = default(CancellationToken))
        {
            return FailAsync(new IntentError { Message = message }, cancellationToken);
        }

        /// <summary>Cancels it (resolve with status CANCELED).</summary>
        public Task<IntentWriteResponse> CancelAsync(string reason = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return _client.CancelIntentAsync(IntentId, reason, null, cancellationToken);
        }

        public override string ToString()
        {
            return "IntentHandle(" + IntentId + ")";
        }
    }

    public partial class AxmeClient
    {
        /// <summary>
        /// Creates an intent (as <see cref="SendIntentAsync(CreateIntentRequest, RequestOptions, CancellationToken)"/>
        /// does) and returns its handle: WaitAsync, Observe, GetAsync, CompleteAsync, FailAsync, CancelAsync act on it.
        /// </summary>
        public async Task<IntentHandle> SubmitIntentAsync(CreateIntentRequest request, RequestOptions options = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            CreateIntentResponse created = await CreateIntentAsync(request, options, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(created.IntentId))
            {
                throw new AxmeException("createIntent response has no intent_id: " + created);
            }
            return new IntentHandle(this, created.IntentId, created);
        }

        public Task<IntentHandle> SubmitIntentAsync(CreateIntentRequest request, CancellationToken cancellationToken)
        {
            return SubmitIntentAsync(request, null, cancellationToken);
        }

        /// <summary>The handle of an intent that already exists (no request).</summary>
        public IntentHandle Intent(string intentId)
        {
            return new IntentHandle(this, intentId, null);
        }
    }
}
