using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    public partial class AxmeClient
    {
        /// <summary>
        /// Waits until the intent is terminal (COMPLETED, FAILED, CANCELED or TIMED_OUT) and returns it.
        /// One event stream (REQ-WAIT-005), so it returns as soon as the terminal event is committed.
        /// Neither the timeout nor <paramref name="cancellationToken"/> touches the intent itself.
        /// </summary>
        /// <param name="intentId">The intent to wait for.</param>
        /// <param name="timeout">Own deadline (null: wait indefinitely).</param>
        /// <param name="cancellationToken">Stops waiting (the intent is left as it is).</param>
        /// <exception cref="WaitTimeoutException">The deadline passed first.</exception>
        /// <exception cref="OperationCanceledException">The caller canceled.</exception>
        public async Task<Intent> WaitForAsync(string intentId, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            if (timeout.HasValue && timeout.Value < TimeSpan.Zero) throw new ArgumentOutOfRangeException("timeout");
            string lastStatus = null;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                if (timeout.HasValue) deadline.CancelAfter(timeout.Value);
                try
                {
                    string current = intentId;
                    while (true)
                    {
                        Intent intent = await WaitOneAsync(current, status => lastStatus = status, deadline.Token).ConfigureAwait(false);
                        lastStatus = intent.Status;
                        if (!IntentStatus.IsTerminal(intent.Status)) continue; // a read that lagged the terminal event
                        // a retried FAILED/TIMED_OUT intent leads to its last attempt (REQ-REATTEMPT-008)
                        bool retried = !string.IsNullOrEmpty(intent.RetriedBy)
                            && (intent.Status == IntentStatus.Failed || intent.Status == IntentStatus.TimedOut);
                        if (!retried) return intent;
                        current = intent.RetriedBy;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
                {
                    throw new WaitTimeoutException(intentId, timeout ?? TimeSpan.Zero, lastStatus);
                }
            }
        }

        /// <summary>
        /// One request (REQ-WAIT-005): the stream's <c>stream.intent</c> frames carry the intent when it
        /// opens and once it is terminal. A server that sends none (an older one) costs one read after
        /// the terminal event.
        /// </summary>
        private async Task<Intent> WaitOneAsync(string intentId, Action<string> seen, CancellationToken token)
        {
            IntentEventStream.Enumerator events = new IntentEventStream(Pipeline, intentId, new ObserveOptions(), token).GetAsyncEnumerator();
            events.IncludeIntent = true;
            try
            {
                while (await events.MoveNextAsync().ConfigureAwait(false))
                {
                    seen(events.Current.Status);
                    if (IntentStatus.IsTerminal(events.Current.Status)) break;
                }
            }
            finally
            {
                events.Dispose();
            }
            JObject frame = events.IntentFrame;
            if (frame != null && IntentStatus.IsTerminal(frame.Value<string>("status"))) return AxmeModel.FromJson<Intent>(frame);
            return (await GetIntentAsync(intentId, null, token).ConfigureAwait(false)).Intent;
        }

        public Task<Intent> WaitForAsync(string intentId, CancellationToken cancellationToken)
        {
            return WaitForAsync(intentId, null, cancellationToken);
        }
    }
}
