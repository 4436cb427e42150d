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
        /// True (default): follow the intent across windows and reconnects until a terminal event.
        /// False: end when the server ends the current window (a <c>stream.timeout</c> or a clean close).
        /// </summary>
        public bool UntilTerminal { get; set; }

        /// <summary>Pause between polls when the server has no stream endpoint (default 1 s).</summary>
        public TimeSpan? PollInterval { get; set; }
    }
}
