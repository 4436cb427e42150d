using System.Collections.Generic;
using System.Text;

namespace Axme.Sdk.Streaming
{
    /// <summary>
    /// Incremental WHATWG EventSource parser. Feed it text in any chunking; it splits lines on
    /// CR, LF or CRLF (a CR at a chunk end is remembered so a following LF is not a second
    /// line), strips a leading BOM, and dispatches an event on each blank line. Anything not
    /// terminated by a blank line when the stream ends is dropped, as the standard requires.
    /// </summary>
    internal sealed class SseParser
    {
        private readonly StringBuilder _line = new StringBuilder();
        private readonly StringBuilder _data = new StringBuilder();
        private string _eventType;
        private bool _started;
        private bool _skipLineFeed;

        /// <summary>The last event id (null until an <c>id:</c> field is seen).</summary>
        public string LastEventId { get; private set; }

        /// <summary>The last valid <c>retry:</c> value in milliseconds, or null.</summary>
        public long? RetryMs { get; private set; }

        /// <summary>Consumes <paramref name="text"/>; appends each completed event to <paramref name="output"/>.</summary>
        public void Feed(string text, IList<SseEvent> output)
        {
            Feed(text.ToCharArray(), 0, text.Length, output);
        }

        public void Feed(char[] buffer, int offset, int count, IList<SseEvent> output)
        {
            for (int i = offset; i < offset + count; i++)
            {
                char c = buffer[i];
                if (!_started)
                {
                    _started = true;
                    if (c == '\uFEFF') continue;
                }
                if (_skipLineFeed)
                {
                    _skipLineFeed = false;
                    if (c == '\n') continue;
                }
                if (c == '\r' || c == '\n')
                {
                    _skipLineFeed = c == '\r';
                    ProcessLine(_line.ToString(), output);
                    _line.Length = 0;
                }
                else
                {
                    _line.Append(c);
                }
            }
        }

        private void ProcessLine(string line, IList<SseEvent> output)
        {
            if (line.Length == 0)
            {
                Dispatch(output);
                return;
            }
            if (line[0] == ':') return;
            int colon = line.IndexOf(':');
            string field = colon < 0 ? line : line.Substring(0, colon);
            string value = colon < 0 ? "" : line.Substring(colon + 1);
            if (value.Length > 0 && value[0] == ' ') value = value.Substring(1);
            switch (field)
            {
                case "event":
                    _eventType = value;
                    break;
                case "data":
                    _data.Append(value).Append('\n');
                    break;
                case "id":
                    if (value.IndexOf('\0') < 0) LastEventId = value;
                    break;
                case "retry":
                    long ms;
                    if (IsAsciiDigits(value) && long.TryParse(value, out ms)) RetryMs = ms;
                    break;
            }
        }

        private void Dispatch(IList<SseEvent> output)
        {
            if (_data.Length == 0)
            {
                _eventType = null;
                return;
            }
            string data = _data.ToString(0, _data.Length - 1);
            string type = string.IsNullOrEmpty(_eventType) ? "message" : _eventType;
            _data.Length = 0;
            _eventType = null;
            output.Add(new SseEvent(LastEventId, type, data));
        }

        private static bool IsAsciiDigits(string s)
        {
            if (s.Length == 0) return false;
            foreach (char c in s)
            {
                if (c < '0' || c > '9') return false;
            }
            return true;
        }
    }
}
