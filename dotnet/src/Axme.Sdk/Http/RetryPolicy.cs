using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Axme.Sdk.Http
{
    /// <summary>
    /// REQ-RETRY-003/004: exponential backoff d = min(base × 2ⁿ, cap), drawn uniformly from
    /// [d/2, d] so concurrent clients spread out; Retry-After wins when sent, and above 60 s
    /// it is not waited for at all.
    /// </summary>
    internal sealed class RetryPolicy
    {
        public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

        private readonly TimeSpan _base;
        private readonly TimeSpan _cap;
        private readonly Random _random;
        private readonly object _randomLock = new object();

        public RetryPolicy(TimeSpan baseDelay, TimeSpan cap, Random random)
        {
            _base = baseDelay;
            _cap = cap;
            _random = random ?? new Random();
        }

        /// <summary>Test seam: how the pipeline sleeps between attempts.</summary>
        public Func<TimeSpan, CancellationToken, Task> Sleep = (d, ct) => Task.Delay(d, ct);

        /// <summary>Delay before retry number <paramref name="retryIndex"/> (0 = first retry).</summary>
        public TimeSpan Backoff(int retryIndex)
        {
            double ceiling = Math.Min(_cap.TotalMilliseconds, _base.TotalMilliseconds * Math.Pow(2, Math.Min(retryIndex, 30)));
            double r;
            lock (_randomLock) r = _random.NextDouble();
            return TimeSpan.FromMilliseconds(ceiling / 2 + r * ceiling / 2);
        }

        /// <summary>Whether a failed attempt may be retried (the caller checks the budget).</summary>
        public static bool IsRetryable(Exception error)
        {
            if (error is AxmeConnectionException) return true; // includes timeouts and 408
            var api = error as AxmeApiException;
            return api != null && ErrorMapper.IsRetryableStatus(api.Status);
        }

        /// <summary>Parses <c>Retry-After</c>: delta seconds or an HTTP date. Null when absent/invalid.</summary>
        public static TimeSpan? ParseRetryAfter(string value, DateTimeOffset now)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            value = value.Trim();
            double seconds;
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
            {
                return seconds < 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(seconds);
            }
            DateTimeOffset at;
            if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out at)
                || DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
            {
                TimeSpan delta = at - now;
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }
            return null;
        }
    }
}
