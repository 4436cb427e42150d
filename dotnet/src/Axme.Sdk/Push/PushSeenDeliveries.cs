using System;
using System.Collections.Generic;

namespace Axme.Sdk
{
    /// <summary>
    /// Where a push receiver remembers accepted delivery ids (REQ-PUSH-005). Replace the in-memory one
    /// with a shared store when several receiver processes sit behind one URL.
    /// </summary>
    public interface IPushSeenDeliveries
    {
        /// <summary>Remembers the id; false if it was already accepted within the replay window.</summary>
        bool Add(string deliveryId);
    }

    /// <summary>Ids accepted in the last <c>ttl</c> (default 10 minutes), in this process's memory.</summary>
    public sealed class InMemoryPushSeenDeliveries : IPushSeenDeliveries
    {
        private readonly TimeSpan _ttl;
        private readonly Func<DateTimeOffset> _now;
        private readonly Dictionary<string, DateTimeOffset> _at = new Dictionary<string, DateTimeOffset>();
        private readonly Queue<string> _order = new Queue<string>(); // oldest first, expired from the front
        private readonly object _lock = new object();

        public InMemoryPushSeenDeliveries() : this(Push.ReplayWindow, null) { }

        /// <param name="ttl">how long an id is remembered</param>
        /// <param name="now">the clock (null = <see cref="DateTimeOffset.UtcNow"/>)</param>
        public InMemoryPushSeenDeliveries(TimeSpan ttl, Func<DateTimeOffset> now)
        {
            _ttl = ttl;
            _now = now ?? (() => DateTimeOffset.UtcNow);
        }

        public int Count
        {
            get { lock (_lock) return _order.Count; }
        }

        public bool Add(string deliveryId)
        {
            DateTimeOffset now = _now();
            lock (_lock)
            {
                while (_order.Count > 0 && now - _at[_order.Peek()] >= _ttl) _at.Remove(_order.Dequeue());
                if (_at.ContainsKey(deliveryId)) return false;
                _at[deliveryId] = now;
                _order.Enqueue(deliveryId);
                return true;
            }
        }
    }
}
