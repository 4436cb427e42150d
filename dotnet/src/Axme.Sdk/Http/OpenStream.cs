using System;
using System.IO;
using System.Threading;

namespace Axme.Sdk.Http
{
    /// <summary>An open streaming response body and the way to tear its connection down.</summary>
    internal sealed class OpenStream : IDisposable
    {
        private Action _close;

        public OpenStream(Stream body, Action close)
        {
            Body = body;
            _close = close;
        }

        public Stream Body { get; private set; }

        /// <summary>Closes the connection (not just the stream); safe from any thread, more than once.</summary>
        public void Dispose()
        {
            Action close = Interlocked.Exchange(ref _close, null);
            if (close != null) close();
        }
    }
}
