using System;

namespace Axme.Sdk
{
    /// <summary>
    /// Thrown by a listen handler to walk away from a delivery without resolving it: the lease
    /// runs out and the server redelivers (the same as the agent crashing).
    /// </summary>
    public class AbandonDeliveryException : Exception
    {
        public AbandonDeliveryException(string message = "delivery abandoned by the handler") : base(message) { }
    }
}
