using System;

namespace Axme.Sdk
{
    /// <summary>Base class of every exception the SDK throws on purpose.</summary>
    public class AxmeException : Exception
    {
        public AxmeException(string message) : base(message) { }
        public AxmeException(string message, Exception innerException) : base(message, innerException) { }
    }

    /// <summary>The request never produced an HTTP response (DNS, refused, reset, TLS).</summary>
    public class AxmeConnectionException : AxmeException
    {
        public AxmeConnectionException(string message) : base(message) { }
        public AxmeConnectionException(string message, Exception innerException) : base(message, innerException) { }
    }

    /// <summary>One attempt exceeded <see cref="AxmeClientConfig.Timeout"/> (not caller cancellation).</summary>
    public class AxmeTimeoutException : AxmeConnectionException
    {
        public AxmeTimeoutException(string message) : base(message) { }
        public AxmeTimeoutException(string message, Exception innerException) : base(message, innerException) { }
    }

    /// <summary><c>WaitForAsync</c> reached its own timeout; the intent itself is untouched.</summary>
    public class WaitTimeoutException : AxmeException
    {
        public WaitTimeoutException(string intentId, TimeSpan timeout, string lastStatus)
            : base(string.Format("intent {0} not terminal after {1:0.###} s (last status {2})",
                intentId, timeout.TotalSeconds, lastStatus ?? "unknown"))
        {
            IntentId = intentId;
            Timeout = timeout;
            LastStatus = lastStatus;
        }

        public string IntentId { get; private set; }
        public TimeSpan Timeout { get; private set; }
        public string LastStatus { get; private set; }
    }

    /// <summary>A stream could not be used: malformed frame, or reconnects exhausted.</summary>
    public class StreamException : AxmeException
    {
        public StreamException(string message) : base(message) { }
        public StreamException(string message, Exception innerException) : base(message, innerException) { }
    }
}
