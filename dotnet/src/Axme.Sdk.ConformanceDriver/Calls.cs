using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.ConformanceDriver
{
    /// <summary>
    /// `call`: canonical method name + wire-JSON args → the idiomatic SDK call → the response body. Every
    /// operation of spec/naming.yaml is in Calls.Generated.cs (tools/gen_driver_calls.py) except those
    /// whose arguments need more than its rules: resumeIntent's several body shapes, the SDK-only helpers
    /// and the intent handle, written here in HandWritten (a name listed here is left out of the generated table).
    /// </summary>
    internal static partial class Calls
    {
        private delegate Task<JToken> Call(AxmeClient c, JObject a, CancellationToken ct);

        private static readonly Dictionary<string, Call> HandWritten = new Dictionary<string, Call>
        {
            ["resumeIntent"] = async (c, a, ct) =>
            {
                JObject body = BodyObject(a, "intent_id");
                if (!IsHelperResume(body)) // any other body, sent as given
                    return (await c.ResumeIntentWithAsync(Str(a, "intent_id"), AxmeModel.FromJson<ResumeBody>(body), ct)).ToJson();
                return (await c.ResumeIntentAsync(Str(a, "intent_id"), (JObject)body["result"], Str(body, "delivery_id"), null, ct)).ToJson();
            },
            // the helper itself, whatever the result is (REQ-RESUME-010)
            ["resumeIntentHelper"] = async (c, a, ct) =>
                (await c.ResumeIntentAsync(Str(a, "intent_id"), a["result"] as JObject, Str(a, "delivery_id"), null, ct)).ToJson(),
            ["sendIntent"] = async (c, a, ct) => new JObject { { "intent_id", await c.SendIntentAsync(Body<CreateIntentRequest>(a), ct) } },
            ["submitIntent"] = async (c, a, ct) =>
                new JObject { { "intent_id", (await c.SubmitIntentAsync(Body<CreateIntentRequest>(a), ct)).IntentId } },
            // client.Intent(id).<action>(…): the handle of an existing intent (REQ-CLIENT-010)
            ["intentHandle"] = (c, a, ct) => HandleCallAsync(c.Intent(Str(a, "intent_id")), a, ct),
            ["failIntent"] = async (c, a, ct) =>
                (await c.FailIntentAsync(Str(a, "intent_id"), Error(a), Str(a, "delivery_id"), null, ct)).ToJson(),
            ["cancelIntent"] = async (c, a, ct) => (await c.CancelIntentAsync(Str(a, "intent_id"), Str(a, "reason"), null, ct)).ToJson(),
            ["approveTask"] = async (c, a, ct) => (await c.ApproveTaskAsync(Str(a, "intent_id"), Str(a, "comment"), null, ct)).ToJson(),
            ["rejectTask"] = async (c, a, ct) => (await c.RejectTaskAsync(Str(a, "intent_id"), Str(a, "comment"), null, ct)).ToJson(),
            ["completeTask"] = async (c, a, ct) =>
                (await c.CompleteTaskAsync(Str(a, "intent_id"), Str(a, "outcome") ?? "completed", a["data"] as JObject,
                    Str(a, "comment"), null, ct)).ToJson(),
            ["waitFor"] = async (c, a, ct) =>
            {
                long? ms = Long(a, "timeout_ms");
                var intent = await c.WaitForAsync(Str(a, "intent_id"), ms.HasValue ? TimeSpan.FromMilliseconds(ms.Value) : (TimeSpan?)null, ct);
                return intent.ToJson();
            },
        };

        public static Task<JToken> InvokeAsync(AxmeClient c, string method, JObject a, CancellationToken ct)
        {
            Call call;
            return HandWritten.TryGetValue(method, out call) ? call(c, a, ct) : GeneratedAsync(c, method, a, ct);
        }

        private static async Task<JToken> HandleCallAsync(IntentHandle handle, JObject a, CancellationToken ct)
        {
            switch (Str(a, "action"))
            {
                case "complete": return (await handle.CompleteAsync(a["result"] as JObject, ct)).ToJson();
                case "fail": return (await handle.FailAsync(Error(a), ct)).ToJson();
                case "cancel": return (await handle.CancelAsync(Str(a, "reason"), ct)).ToJson();
                default: throw new ArgumentException("intentHandle: unknown action " + Str(a, "action"));
            }
        }

        /// <summary>The request body: the args minus the operation's path parameters (payload contents untouched).</summary>
        private static JObject BodyObject(JObject args, params string[] pathParameters)
        {
            var body = (JObject)args.DeepClone();
            foreach (string name in pathParameters) body.Remove(name);
            return body;
        }

        private static T Body<T>(JObject args, params string[] pathParameters) where T : AxmeModel, new()
        {
            return AxmeModel.FromJson<T>(BodyObject(args, pathParameters));
        }

        /// <summary>
        /// True when <paramref name="body"/> is exactly what ResumeIntentAsync(id, result, deliveryId) sends:
        /// agent_result complete with an object result and at most a string delivery_id.
        /// </summary>
        private static bool IsHelperResume(JObject body)
        {
            foreach (JProperty member in body.Properties())
            {
                if (Array.IndexOf(HelperResumeKeys, member.Name) < 0) return false;
            }
            JToken deliveryId = body["delivery_id"];
            return Str(body, "kind") == "agent_result" && Str(body, "outcome") == "complete" && body["result"] is JObject
                && (deliveryId == null || deliveryId.Type == JTokenType.String);
        }

        private static readonly string[] HelperResumeKeys = { "kind", "outcome", "result", "delivery_id" };

        private static IntentError Error(JObject args)
        {
            JToken error = args["error"];
            if (error is JObject) return AxmeModel.FromJson<IntentError>((JObject)error.DeepClone());
            return new IntentError { Message = error == null ? "failed" : error.ToString() }; // the SDK adds code agent_error
        }

        private static string Str(JObject args, string name)
        {
            JToken t = args[name];
            if (t == null || t.Type == JTokenType.Null) return null;
            return t.Type == JTokenType.String ? t.Value<string>() : t.ToString(Newtonsoft.Json.Formatting.None);
        }

        private static long? Long(JObject args, string name)
        {
            JToken t = args[name];
            if (t == null || t.Type == JTokenType.Null) return null;
            return t.Value<long>();
        }
    }

    internal sealed class UnsupportedMethodException : Exception
    {
        public UnsupportedMethodException(string method) : base("the .NET SDK has no method for '" + method + "'") { }
    }
}
