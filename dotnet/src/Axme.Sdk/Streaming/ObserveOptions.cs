using System;

namespace Axme.Sdk
{
    /// <summary>Options of <see cref="AxmeClient.Observe(string, ObserveOptions, System.Threading.CancellationToken)"/>.</summary>
    public sealed class ObserveOptions
    {
        public ObserveOptions()
        {
            UntilTerminal = true;
        }

        /// <summary>Only events with <c>seq</c> greater than this (default 0: the whole history).</summary>
        public long? Since { get; set; }

        /// <summary>Server-side window per connection (<c>wait_seconds</c>); the SDK reconnects after each window.</summary>
        public int? WaitSeconds { get; set; }

        /// <summary>
        /// True (default): end after the first terminal event. False: keep following (reconnecting
        /// as needed) until the caller cancels (REQ-OBSERVE-002).
        /// </summary>
        public bool UntilTerminal { get; set; }

        /// <summary>Pause between polls when the server has no stream endpoint (default 1 s).</summary>
        public TimeSpan? PollInterval { get; set; }
    }
}
