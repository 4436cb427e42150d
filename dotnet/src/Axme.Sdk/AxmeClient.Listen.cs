using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Agents;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    public partial class AxmeClient
    {
        /// <summary>
        /// Runs an agent: receives each delivery for <paramref name="address"/>, acks it, runs
        /// <paramref name="handler"/> while renewing the lease, then resumes the intent with the
        /// returned result (null = <c>{}</c>) or fails it with
        /// <c>{"code":"agent_error","message":&lt;exception message&gt;}</c> when it throws. Throw
        /// <see cref="AbandonDeliveryException"/> to leave the delivery for redelivery.
        /// Survives disconnects, 429 and 5xx. Runs until canceled or
        /// <see cref="ListenOptions.MaxDeliveries"/> deliveries were handled; returns that count.
        /// </summary>
        public Task<int> ListenAsync(string address, Func<DeliveryContext, Task<JObject>> handler, ListenOptions options = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            if (string.IsNullOrEmpty(address)) throw new ArgumentException("address is required", "address");
            if (handler == null) throw new ArgumentNullException("handler");
            return new AgentListener(this, Pipeline, address, handler, options, cancellationToken).RunAsync();
        }

        public Task<int> ListenAsync(string address, Func<DeliveryContext, Task<JObject>> handler, CancellationToken cancellationToken)
        {
            return ListenAsync(address, handler, null, cancellationToken);
        }
    }
}
