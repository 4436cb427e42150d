using System;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>Thrown by a listen handler to fail the intent with a specific error object.</summary>
    public class AgentFailureException : Exception
    {
        public AgentFailureException(string code, string message, JObject details = null) : base(message)
        {
            Error = new IntentError(code, message) { Details = details };
        }

        public AgentFailureException(IntentError error) : base(error == null ? "agent failure" : error.Message)
        {
            Error = error ?? new IntentError("handler_error", "agent failure");
        }

        /// <summary>The <c>error</c> sent with <c>agent_result</c> / <c>fail</c>.</summary>
        public IntentError Error { get; private set; }
    }

    /// <summary>
    /// Thrown by a listen handler to walk away from a delivery without resolving it: the lease
    /// runs out and the server redelivers (the same as the agent crashing).
    /// </summary>
    public class AbandonDeliveryException : Exception
    {
        public AbandonDeliveryException(string message = "delivery abandoned by the handler") : base(message) { }
    }
}
