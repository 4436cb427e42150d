using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>What a <see cref="AxmeClient.ListenAsync(string, System.Func{DeliveryContext, Task{JObject}}, ListenOptions, CancellationToken)"/> handler receives.</summary>
    public sealed class DeliveryContext
    {
        private readonly AxmeClient _client;

        internal DeliveryContext(AxmeClient client, Delivery delivery, CancellationToken cancellationToken)
        {
            _client = client;
            Delivery = delivery;
            CancellationToken = cancellationToken;
        }

        public Delivery Delivery { get; private set; }

        /// <summary>The intent as it was delivered (payload, earlier steps' results, …).</summary>
        public Intent Intent { get { return Delivery.Intent; } }

        public string IntentId { get { return Delivery.IntentId; } }

        public string DeliveryId { get { return Delivery.DeliveryId; } }

        /// <summary>Canceled when the listener stops or the lease was lost (another delivery took over).</summary>
        public CancellationToken CancellationToken { get; private set; }

        /// <summary>Reports progress (intent → IN_PROGRESS, <c>intent.progress</c> event) and extends the lease.</summary>
        public Task<IntentWriteResponse> ReportProgressAsync(JObject details = null)
        {
            return _client.ReportProgressAsync(IntentId, details, DeliveryId, null, CancellationToken);
        }
    }
}
