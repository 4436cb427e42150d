using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Http;

namespace Axme.Sdk.Streaming
{
    /// <summary>
    /// Reconnect pacing shared by Observe and ListenAsync: jittered exponential backoff between
    /// attempts (never a tight loop), Retry-After honoured, and a bounded number of consecutive
    /// failures before giving up with <see cref="StreamException"/>.
    /// </summary>
    internal sealed class ReconnectPolicy
    {
        /// <summary>REQ-OBSERVE-006: observe gives up after max(max_retries, 5) + 1 failed connections in a row.</summary>
        public static int ObserveBudget(int maxRetries)
        {
            return Math.Max(maxRetries, 5);
        }

        /// <summary>A clean end sooner than this after connecting is paced like a failure.</summary>
        public static readonly TimeSpan QuickClose = TimeSpan.FromMilliseconds(250);

        private readonly Transport _pipeline;
        private readonly int? _limit;
        private int _failures;

        /// <param name="pipeline">Supplies the backoff and the (test-replaceable) sleep.</param>
        /// <param name="limit">Consecutive failures tolerated (null: never give up, as an agent loop must).</param>
        public ReconnectPolicy(Transport pipeline, int? limit)
        {
            _pipeline = pipeline;
            _limit = limit;
        }

        /// <summary>Called when a connection delivered data: the next failure starts from the base delay.</summary>
        /// <summary>Failures tolerated in a row (null: unlimited).</summary>
        public int? Limit { get { return _limit; } }

        public void Reset()
        {
            _failures = 0;
        }

        /// <summary>Failures a stream recovers from by reconnecting (PauseAsync still rethrows the unfixable ones).</summary>
        public static bool IsReconnectable(Exception error)
        {
            return error is AxmeApiException || error is AxmeConnectionException || error is StreamInterruptedException;
        }

        /// <summary>After one read or connect attempt: pause as a failure, as a clean end, or not at all.</summary>
        public Task SettleAsync(Exception failure, bool cleanEnd, DateTimeOffset connectedAt, CancellationToken cancellationToken)
        {
            if (failure != null) return PauseAsync(failure, cancellationToken);
            if (cleanEnd) return PauseAfterCleanEndAsync(connectedAt, cancellationToken);
            return Task.FromResult(true);
        }

        /// <summary>The server has no such stream endpoint: use the polling fallback.</summary>
        public static bool IsStreamMissing(Exception error)
        {
            var api = error as AxmeApiException;
            if (api == null) return false;
            return (api.Status == 404 && (api.Code == null || api.Code == "not_found")) || api.Status == 405 || api.Status == 501;
        }

        /// <summary>
        /// Waits before the next attempt. Throws <paramref name="cause"/> itself when it is an API
        /// error retrying cannot fix (or a Retry-After above 60 s), and <see cref="StreamException"/>
        /// once the budget is spent.
        /// </summary>
        public Task PauseAsync(Exception cause, CancellationToken cancellationToken)
        {
            var api = cause as AxmeApiException;
            if (api != null && !ErrorMapper.IsRetryableStatus(api.Status)) throw api;
            if (api != null && api.RetryAfter.HasValue && api.RetryAfter.Value > RetryPolicy.MaxRetryAfter) throw api;
            _failures++;
            if (_limit.HasValue && _failures > _limit.Value)
            {
                throw new StreamException(string.Format("stream could not be resumed after {0} failed connections: {1}",
                    _failures, cause.Message), cause);
            }
            TimeSpan delay = api != null && api.RetryAfter.HasValue
                ? api.RetryAfter.Value
                : _pipeline.Retry.Backoff(Math.Min(_failures - 1, 10));
            Transport.Log.TraceEvent(System.Diagnostics.TraceEventType.Information, 0, "stream: {0}; reconnecting in {1} ms",
                cause.Message, (long)delay.TotalMilliseconds);
            return _pipeline.Retry.Sleep(delay, cancellationToken);
        }

        /// <summary>
        /// After a clean end (<c>stream.timeout</c>): reconnect at once, unless the server closed
        /// almost immediately, which would otherwise become a tight loop.
        /// </summary>
        public Task PauseAfterCleanEndAsync(DateTimeOffset connectedAt, CancellationToken cancellationToken)
        {
            if (DateTimeOffset.UtcNow - connectedAt >= QuickClose) return Task.FromResult(true);
            return _pipeline.Retry.Sleep(_pipeline.Retry.Backoff(0), cancellationToken);
        }
    }
}
