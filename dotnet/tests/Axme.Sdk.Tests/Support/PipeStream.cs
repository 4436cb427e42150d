using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Axme.Sdk.Tests.Support
{
    /// <summary>
    /// A response body the test writes into while the SDK reads it, to prove events are
    /// yielded as they arrive. Reads block until data, End() or Dispose().
    /// </summary>
    public sealed class PipeStream : Stream
    {
        private readonly Queue<byte[]> _chunks = new Queue<byte[]>();
        private readonly SemaphoreSlim _available = new SemaphoreSlim(0);
        private byte[] _current;
        private int _offset;
        private volatile bool _ended;
        private volatile bool _disposed;

        public void Write(string text)
        {
            lock (_chunks) _chunks.Enqueue(Encoding.UTF8.GetBytes(text));
            _available.Release();
        }

        public void End()
        {
            _ended = true;
            _available.Release();
        }

        public bool Disposed { get { return _disposed; } }

        /// <summary>A pending read that neither its token nor Dispose ends (as on Mono, at times);
        /// only Write or End does.</summary>
        public bool Deaf { get; set; }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            while (true)
            {
                if (_disposed) throw new ObjectDisposedException("PipeStream");
                if (_current != null && _offset < _current.Length)
                {
                    int n = Math.Min(count, _current.Length - _offset);
                    Array.Copy(_current, _offset, buffer, offset, n);
                    _offset += n;
                    return n;
                }
                lock (_chunks)
                {
                    if (_chunks.Count > 0)
                    {
                        _current = _chunks.Dequeue();
                        _offset = 0;
                        continue;
                    }
                }
                if (_ended) return 0;
                await _available.WaitAsync(Deaf ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            return ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
        }

        protected override void Dispose(bool disposing)
        {
            if (Deaf) return;
            _disposed = true;
            _available.Release();
            base.Dispose(disposing);
        }

        public override bool CanRead { get { return true; } }
        public override bool CanSeek { get { return false; } }
        public override bool CanWrite { get { return false; } }
        public override long Length { get { throw new NotSupportedException(); } }
        public override long Position { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) { throw new NotSupportedException(); }
        public override void SetLength(long value) { throw new NotSupportedException(); }
        public override void Write(byte[] buffer, int offset, int count) { throw new NotSupportedException(); }
    }
}
