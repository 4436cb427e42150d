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
            if (IsResumeForm(result))
            {
                // Already a resume body (e.g. the legacy {"action":"fail","reason":…}): sent as given,
                // never wrapped as a result (REQ-RESUME-010); only a missing delivery id is added.
                var given = (JObject)result.DeepClone();
                if (deliveryId != null && given["delivery_id"] == null) given["delivery_id"] = deliveryId;
                return AxmeModel.FromJson<ResumeBody>(given);
            }
            return new ResumeBody { Kind = "agent_result", Outcome = "complete", Result = result ?? new JObject(), DeliveryId = deliveryId };
        }

        /// <summary>Top-level members by which the server reads a body as a resume form (REQ-RESUME-002).</summary>
        private static readonly string[] ResumeFormMembers = { "kind", "action", "task_result", "approve_current_step" };

        internal static bool IsResumeForm(JObject result)
        {
            if (result == null) return false;
            foreach (string member in ResumeFormMembers)
                if (result.Property(member) != null) return true;
            return false;
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
