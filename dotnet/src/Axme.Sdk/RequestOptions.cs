using System;

namespace Axme.Sdk
{
    /// <summary>Per-call overrides. Any property left null uses the client's behaviour.</summary>
    public sealed class RequestOptions
    {
        /// <summary><c>Idempotency-Key</c> for a POST (default: a fresh UUID per call, reused on its retries).</summary>
        public string IdempotencyKey { get; set; }

        /// <summary><c>X-Trace-Id</c> (default: a fresh UUID per call, reused on its retries).</summary>
        public string TraceId { get; set; }

        /// <summary>Per-attempt timeout for this call.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>Retry budget for this call.</summary>
        public int? MaxRetries { get; set; }
    }
}
