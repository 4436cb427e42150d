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
        public const int MaxConsecutiveFailures = 10;

        private readonly HttpPipeline _pipeline;
        private int _failures;

        public ReconnectPolicy(HttpPipeline pipeline)
        {
            _pipeline = pipeline;
        }

        /// <summary>Called when a connection delivered data: the next failure starts from the base delay.</summary>
        public void Reset()
        {
            _failures = 0;
        }

        /// <summary>True when <paramref name="error"/> is worth reconnecting after.</summary>
        public static bool IsTransient(Exception error)
        {
            return RetryPolicy.IsRetryable(error);
        }

        /// <summary>The server has no such stream endpoint: use the polling fallback.</summary>
        public static bool IsStreamMissing(Exception error)
        {
            var api = error as AxmeApiException;
            if (api == null) return false;
            return (api.Status == 404 && (api.Code == null || api.Code == "not_found")) || api.Status == 405 || api.Status == 501;
        }

        /// <summary>Waits before the next attempt, or throws when the failure budget is spent.</summary>
        public Task PauseAsync(Exception cause, CancellationToken cancellationToken)
        {
            _failures++;
            if (_failures > MaxConsecutiveFailures)
            {
                throw new StreamException(string.Format("gave up after {0} consecutive stream failures: {1}",
                    MaxConsecutiveFailures, cause.Message), cause);
            }
            TimeSpan delay = _pipeline.Retry.Backoff(_failures - 1);
            var api = cause as AxmeApiException;
            if (api != null && api.RetryAfter.HasValue)
            {
                delay = api.RetryAfter.Value < RetryPolicy.MaxRetryAfter ? api.RetryAfter.Value : RetryPolicy.MaxRetryAfter;
            }
            return _pipeline.Retry.Sleep(delay, cancellationToken);
        }
    }
}
