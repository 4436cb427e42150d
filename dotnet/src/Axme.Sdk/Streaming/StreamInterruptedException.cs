using System;

namespace Axme.Sdk.Streaming
{
    /// <summary>
    /// A stream ended or broke before its goal: reconnect. Surfaces to callers only as the
    /// cause of a <see cref="StreamException"/> once the reconnect budget is spent.
    /// </summary>
    internal sealed class StreamInterruptedException : Exception
    {
        public StreamInterruptedException(string message, Exception inner) : base(message, inner) { }
    }
}
