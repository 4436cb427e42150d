namespace Axme.Sdk.Streaming
{
    /// <summary>One dispatched Server-Sent Event.</summary>
    internal sealed class SseEvent
    {
        public SseEvent(string id, string eventType, string data)
        {
            Id = id;
            Event = eventType;
            Data = data;
        }

        /// <summary>The last event id at dispatch time (sticky across events); null if none was ever set.</summary>
        public string Id { get; private set; }

        /// <summary>The <c>event:</c> field, or <c>message</c>.</summary>
        public string Event { get; private set; }

        /// <summary>Data lines joined with LF.</summary>
        public string Data { get; private set; }
    }
}
