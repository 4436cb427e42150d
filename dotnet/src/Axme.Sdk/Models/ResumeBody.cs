using Newtonsoft.Json.Linq;

namespace Axme.Sdk.Models
{
    public partial class ResumeBody
    {
        // The bodies of ResumeIntentAsync, FailIntentAsync and ReportProgressAsync (internal: those
        // helpers are the public way to send them; ResumeIntentWithAsync sends any other body).
        /// <summary><c>{"kind":"agent_result","outcome":"complete","result":…}</c>.</summary>
        internal static ResumeBody Complete(JObject result, string deliveryId = null)
        {
            return new ResumeBody { Kind = "agent_result", Outcome = "complete", Result = result ?? new JObject(), DeliveryId = deliveryId };
        }

        /// <summary><c>{"kind":"agent_result","outcome":"fail","error":…}</c>.</summary>
        internal static ResumeBody Fail(IntentError error, string deliveryId = null)
        {
            return new ResumeBody { Kind = "agent_result", Outcome = "fail", Error = error, DeliveryId = deliveryId };
        }

        /// <summary><c>{"kind":"progress","details":…}</c>: IN_PROGRESS, and the lease is extended.</summary>
        internal static ResumeBody Progress(JObject details = null, string deliveryId = null)
        {
            return new ResumeBody { Kind = "progress", Details = details, DeliveryId = deliveryId };
        }
    }

    public partial class IntentError
    {
        public IntentError() { }

        public IntentError(string code, string message)
        {
            Code = code;
            Message = message;
        }
    }
}
