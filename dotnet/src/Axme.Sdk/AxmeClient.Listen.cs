using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Agents;
using Axme.Sdk.Http;
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
    
        /// <summary>The shutdown grace of <see cref="RunAgentAsync"/> when none is given.</summary>
        public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(10);

        /// <summary>
        /// REQ-LISTEN-007: serves <paramref name="address"/> as <see cref="ListenAsync(string, Func{DeliveryContext, Task{JObject}}, ListenOptions, CancellationToken)"/>
        /// does until the process gets SIGINT or SIGTERM or <paramref name="cancellationToken"/> is canceled; then
        /// takes no further delivery and lets the handler in hand finish and resume or fail its intent for up to
        /// <paramref name="grace"/> (default 10 s; <see cref="TimeSpan.Zero"/> = do not wait). After the grace the
        /// handler's token is canceled and the delivery abandoned without a write, as a crash would leave it (its lease
        /// expires and the server redelivers it). Removes its signal handlers and returns the number of deliveries
        /// handled, without an exception: being told to stop is how an agent process ends.
        /// </summary>
        public async Task<int> RunAgentAsync(string address, Func<DeliveryContext, Task<JObject>> handler, TimeSpan? grace = null,
            ListenOptions options = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (string.IsNullOrEmpty(address)) throw new ArgumentException("address is required", "address");
            if (handler == null) throw new ArgumentNullException("handler");
            TimeSpan shutdownGrace = grace ?? DefaultGrace;
            if (shutdownGrace < TimeSpan.Zero) throw new ArgumentOutOfRangeException("grace", "the grace cannot be negative");
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (var work = new CancellationTokenSource())
            using (var stopped = new ManualResetEventSlim())
            using (stop.Token.Register(() =>
            {
                Transport.Log.TraceEvent(TraceEventType.Information, 0, "run_agent {0}: stopping; the delivery in hand may finish within {1}",
                    address, shutdownGrace);
                work.CancelAfter(shutdownGrace);
            }))
            {
                var listener = new AgentListener(this, Pipeline, address, handler, options, stop.Token, work.Token, true);
                using (new StopSignals(stop.Cancel, () => stopped.Wait(shutdownGrace + TimeSpan.FromSeconds(1))))
                {
                    try
                    {
                        return await listener.RunAsync().ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return listener.Handled;
                    }
                    finally
                    {
                        stopped.Set();
                    }
                }
            }
        }
    }
}
