using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;

namespace Axme.Sdk
{
    public partial class AxmeClient
    {
        /// <summary>
        /// Waits until the intent is terminal (COMPLETED, FAILED, CANCELED or TIMED_OUT) and returns it.
        /// Streams events in between, so it returns as soon as the terminal event is committed.
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
                        Intent intent = (await GetIntentAsync(current, null, deadline.Token).ConfigureAwait(false)).Intent;
                        lastStatus = intent.Status;
                        if (IntentStatus.IsTerminal(intent.Status))
                        {
                            // a retried FAILED/TIMED_OUT intent leads to its last attempt (REQ-REATTEMPT-008)
                            bool retried = !string.IsNullOrEmpty(intent.RetriedBy)
                                && (intent.Status == IntentStatus.Failed || intent.Status == IntentStatus.TimedOut);
                            if (!retried) return intent;
                            current = intent.RetriedBy;
                            continue;
                        }
                        var options = new ObserveOptions { Since = intent.LastSeq };
                        IntentEventStream.Enumerator events = new IntentEventStream(Pipeline, current, options, deadline.Token).GetAsyncEnumerator();
                        try
                        {
                            while (await events.MoveNextAsync().ConfigureAwait(false))
                            {
                                lastStatus = events.Current.Status;
                                if (IntentStatus.IsTerminal(lastStatus)) break;
                            }
                        }
                        finally
                        {
                            events.Dispose();
                        }
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
                {
                    throw new WaitTimeoutException(intentId, timeout ?? TimeSpan.Zero, lastStatus);
                }
            }
        }

        public Task<Intent> WaitForAsync(string intentId, CancellationToken cancellationToken)
        {
            return WaitForAsync(intentId, null, cancellationToken);
        }
    }
}
