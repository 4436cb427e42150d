using System.Collections.Generic;

namespace Axme.Sdk.Models
{
    public static partial class IntentStatus
    {
        /// <summary>The spec's terminal set: no transition leaves these statuses.</summary>
        public static readonly IReadOnlyList<string> Terminal = new[] { Completed, Failed, Canceled, TimedOut };

        /// <summary>True for COMPLETED, FAILED, CANCELED and TIMED_OUT (exact, case-sensitive wire values).</summary>
        public static bool IsTerminal(string status)
        {
            return status == Completed || status == Failed || status == Canceled || status == TimedOut;
        }
    }
}
