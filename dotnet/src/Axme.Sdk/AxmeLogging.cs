using System.Diagnostics;
using Axme.Sdk.Http;

namespace Axme.Sdk
{
    /// <summary>
    /// The SDK logs through <see cref="System.Diagnostics.TraceSource"/> "Axme.Sdk" (off by default).
    /// Retries and reconnects are Warning/Information, every request Verbose. Keys are never logged.
    /// </summary>
    public static class AxmeLogging
    {
        public static TraceSource Source { get { return Transport.Log; } }
    }
}
