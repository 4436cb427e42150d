using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Http;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;

namespace Axme.Sdk
{
    // The two SSE operations as the spec defines them: one connection each. Most callers want
    // Observe (resume, reconnect, dedupe) or ListenAsync (ack, lease, resume) instead.
    public partial class AxmeClient
    {
        /// <summary>
        /// <c>GET /v1/intents/{intent_id}/events/stream</c> (streamIntentEvents): one connection,
        /// <c>intent.*</c> frames as events, ending when the server closes (terminal event or
        /// <c>stream.timeout</c>). Errors before streaming are thrown like any call's.
        /// </summary>
        public async Task<ServerEventStream<IntentEvent>> StreamIntentEventsAsync(string intentId, long? since = null,
            long? waitSeconds = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            string path = "v1/intents/" + Transport.Segment(intentId) + "/events/stream";
            SseConnection connection = await SseConnection.OpenAsync(Pipeline, path, StreamQuery(since, waitSeconds),
                since.HasValue && since.Value > 0 ? since.Value.ToString(CultureInfo.InvariantCulture) : null,
                cancellationToken).ConfigureAwait(false);
            return new ServerEventStream<IntentEvent>(connection, f => f.Event.StartsWith("intent.", System.StringComparison.Ordinal));
        }

        /// <summary>
        /// <c>GET /v1/agents/{address}/intents/stream</c> (streamAgentDeliveries): one connection,
        /// <c>intent.delivery</c> frames as deliveries (not acked). <paramref name="since"/> is the
        /// opaque delivery cursor (<see cref="ServerEventStream{T}.CurrentId"/>).
        /// </summary>
        public async Task<ServerEventStream<Delivery>> StreamAgentDeliveriesAsync(string address, string since = null,
            long? waitSeconds = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            string path = "v1/agents/" + Transport.Segment(address) + "/intents/stream";
            var query = StreamQuery(null, waitSeconds);
            if (since != null) query.Insert(0, new KeyValuePair<string, string>("since", since));
            SseConnection connection = await SseConnection.OpenAsync(Pipeline, path, query, since, cancellationToken).ConfigureAwait(false);
            return new ServerEventStream<Delivery>(connection, f => f.Event == "intent.delivery");
        }

        private static List<KeyValuePair<string, string>> StreamQuery(long? since, long? waitSeconds)
        {
            var query = new List<KeyValuePair<string, string>>();
            if (since.HasValue && since.Value > 0) query.Add(new KeyValuePair<string, string>("since", since.Value.ToString(CultureInfo.InvariantCulture)));
            if (waitSeconds.HasValue) query.Add(new KeyValuePair<string, string>("wait_seconds", waitSeconds.Value.ToString(CultureInfo.InvariantCulture)));
            return query;
        }
    }
}
