using System;

namespace Axme.Sdk
{
    /// <summary>Options of <c>AxmeClient.ListenAsync</c>.</summary>
    public sealed class ListenOptions
    {
        /// <summary>Return after this many deliveries were handed to the handler (default: run until canceled).</summary>
        public int? MaxDeliveries { get; set; }

        /// <summary>How often the lease is renewed while the handler runs (default: a third of the lease, 1–20 s).</summary>
        public TimeSpan? LeaseRenewInterval { get; set; }

        /// <summary>Server-side window per stream connection (<c>wait_seconds</c>).</summary>
        public int? WaitSeconds { get; set; }
    }
}
