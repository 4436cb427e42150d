using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Axme.Sdk.Streaming
{
    /// <summary>
    /// Pulls events off a byte stream as the bytes arrive (no buffering until close). UTF-8 is
    /// decoded incrementally so a character split across reads is kept whole.
    /// </summary>
    internal sealed class SseReader
    {
        private readonly Stream _stream;
        private readonly SseParser _parser;
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
        private readonly byte[] _bytes = new byte[8192];
        private readonly char[] _chars = new char[8192 + 4];
        private readonly List<SseEvent> _pending = new List<SseEvent>();
        private int _next;

        public SseReader(Stream stream) : this(stream, new SseParser()) { }

        public SseReader(Stream stream, SseParser parser)
        {
            _stream = stream;
            _parser = parser;
        }

        public SseParser Parser { get { return _parser; } }

        /// <summary>Called after every read that returned bytes (used for the idle timeout).</summary>
        public Action OnBytes { get; set; }

        /// <summary>The next event, or null at end of stream.</summary>
        public async Task<SseEvent> ReadAsync(CancellationToken cancellationToken)
        {
            while (_next >= _pending.Count)
            {
                _pending.Clear();
                _next = 0;
                int n = await _stream.ReadAsync(_bytes, 0, _bytes.Length, cancellationToken).ConfigureAwait(false);
                if (n <= 0) return null;
                if (OnBytes != null) OnBytes();
                int chars = _decoder.GetChars(_bytes, 0, n, _chars, 0, false);
                _parser.Feed(_chars, 0, chars, _pending);
            }
            return _pending[_next++];
        }
    }
}
