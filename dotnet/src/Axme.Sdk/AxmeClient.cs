using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Http;
using Axme.Sdk.Streaming;

namespace Axme.Sdk
{
    /// <summary>
    /// The AXME client. Thread-safe; create one per process (or per key) and dispose it at the end.
    /// Every operation of the spec is an <c>…Async</c> method (AxmeClient.Operations.cs);
    /// the helpers for streaming, waiting, listening and human tasks live in the other partial files.
    /// </summary>
    public partial class AxmeClient : IDisposable
    {
        private int _disposed;

        /// <summary>Client configured only from <c>AXME_API_KEY</c> / <c>AXME_BASE_URL</c>.</summary>
        public AxmeClient() : this(null)
        {
        }

        /// <exception cref="AxmeException">No API key, or an invalid base URL or setting.</exception>
        public AxmeClient(AxmeClientConfig config)
        {
            Pipeline = new Transport(ClientSettings.Resolve(config), config == null ? null : config.HttpMessageHandler);
        }

        internal Transport Pipeline { get; private set; }

        /// <summary>The resolved server root, ending with '/'.</summary>
        public Uri BaseUri { get { return Pipeline.Settings.BaseUri; } }

        /// <summary>
        /// Streams the events of an intent, each as soon as it is committed. Resumes with
        /// <c>Last-Event-ID</c> after a drop (no event lost or repeated), reconnects with
        /// jittered backoff, and polls only when the server has no stream endpoint.
        /// </summary>
        public IntentEventStream Observe(string intentId, ObserveOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return new IntentEventStream(Pipeline, intentId, options, cancellationToken, RetriedByAsync);
        }

        /// <summary>
        /// The attempt that retried a FAILED/TIMED_OUT intent, or null (REQ-REATTEMPT-009). A failed read
        /// ends the observation quietly: its terminal event was already yielded.
        /// </summary>
        private async Task<string> RetriedByAsync(string intentId, CancellationToken cancellationToken)
        {
            try
            {
                return (await GetIntentAsync(intentId, null, cancellationToken).ConfigureAwait(false)).Intent.RetriedBy;
            }
            catch (AxmeApiException)
            {
                return null;
            }
        }

        /// <summary>Observe with default options.</summary>
        public IntentEventStream Observe(string intentId, CancellationToken cancellationToken)
        {
            return Observe(intentId, null, cancellationToken);
        }

        /// <summary>Closes the connections. Calls made afterwards throw <see cref="ObjectDisposedException"/>.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Pipeline.Dispose();
            }
        }
    }
}
