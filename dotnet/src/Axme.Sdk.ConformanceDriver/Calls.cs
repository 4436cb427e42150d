using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.ConformanceDriver
{
    /// <summary>`call`: canonical method name + wire-JSON args → the idiomatic SDK call → the response body.</summary>
    internal static class Calls
    {
        public static async Task<JToken> InvokeAsync(AxmeClient c, string method, JObject a, CancellationToken ct)
        {
            switch (method)
            {
                case "getHealth": return (await c.GetHealthAsync(ct)).ToJson();
                case "createIntent": return (await c.CreateIntentAsync(Body<CreateIntentRequest>(a), ct)).ToJson();
                case "listIntents":
                    return (await c.ListIntentsAsync(Str(a, "status"), Str(a, "to_agent"), Str(a, "from_agent"), Long(a, "limit"),
                        Str(a, "cursor"), null, ct)).ToJson();
                case "getIntent": return (await c.GetIntentAsync(Str(a, "intent_id"), ct)).ToJson();
                case "listIntentEvents":
                    return (await c.ListIntentEventsAsync(Str(a, "intent_id"), Long(a, "since"), Long(a, "limit"), null, ct)).ToJson();
                case "resumeIntent":
                    {
                        JObject body = BodyObject(a, "intent_id");
                        if (!IsHelperResume(body)) // any other body, sent as given
                            return (await c.ResumeIntentWithAsync(Str(a, "intent_id"), AxmeModel.FromJson<ResumeBody>(body), ct)).ToJson();
                        return (await c.ResumeIntentAsync(Str(a, "intent_id"), (JObject)body["result"], Str(body, "delivery_id"), null, ct)).ToJson();
                    }
                case "resumeIntentHelper": // the helper itself, whatever the result is (REQ-RESUME-010)
                    return (await c.ResumeIntentAsync(Str(a, "intent_id"), a["result"] as JObject, Str(a, "delivery_id"), null, ct)).ToJson();
                case "resolveIntent": return (await c.ResolveIntentAsync(Str(a, "intent_id"), Body<ResolveIntentRequest>(a, "intent_id"), ct)).ToJson();
                case "retryIntent": return (await c.RetryIntentAsync(Str(a, "intent_id"), Body<RetryIntentRequest>(a, "intent_id"), ct)).ToJson();
                case "ackIntent": return (await c.AckIntentAsync(Str(a, "intent_id"), Body<AckIntentRequest>(a, "intent_id"), ct)).ToJson();
                case "getIntentAudit": return (await c.GetIntentAuditAsync(Str(a, "intent_id"), ct)).ToJson();
                case "registerAgent": return (await c.RegisterAgentAsync(Body<RegisterAgentRequest>(a), ct)).ToJson();
                case "listAgents": return (await c.ListAgentsAsync(Long(a, "limit"), Str(a, "cursor"), null, ct)).ToJson();
                case "getAgent": return (await c.GetAgentAsync(Str(a, "address"), ct)).ToJson();
                case "createAgentKey": return (await c.CreateAgentKeyAsync(Str(a, "address"), Body<CreateAgentKeyRequest>(a, "address"), ct)).ToJson();
                case "pollAgentDeliveries":
                    return (await c.PollAgentDeliveriesAsync(Str(a, "address"), Str(a, "status"), Long(a, "wait_seconds"), Long(a, "limit"),
                        null, ct)).ToJson();
                case "listTasks":
                    return (await c.ListTasksAsync(Str(a, "status"), Str(a, "assignee"), Long(a, "limit"), Str(a, "cursor"), null, ct)).ToJson();
                case "listMyTasks": return (await c.ListMyTasksAsync(Long(a, "limit"), Str(a, "cursor"), null, ct)).ToJson();
                case "deleteAgent": return (await c.DeleteAgentAsync(Str(a, "address"), ct)).ToJson();
                case "listAgentKeys": return (await c.ListAgentKeysAsync(Str(a, "address"), ct)).ToJson();
                case "decideTask": return (await c.DecideTaskAsync(Str(a, "intent_id"), Body<TaskDecision>(a, "intent_id"), ct)).ToJson();
                case "applyScenario": return (await c.ApplyScenarioAsync(Body<ScenarioBundle>(a), ct)).ToJson();
                case "validateScenario": return (await c.ValidateScenarioAsync(BodyObject(a), ct)).ToJson();
                case "createKey": return (await c.CreateKeyAsync(Body<CreateKeyRequest>(a), ct)).ToJson();
                case "listKeys": return (await c.ListKeysAsync(ct)).ToJson();
                case "revokeKey": return (await c.RevokeKeyAsync(Str(a, "key_id"), ct)).ToJson();

                case "sendIntent":
                    return new JObject { { "intent_id", await c.SendIntentAsync(Body<CreateIntentRequest>(a), ct) } };
                case "submitIntent":
                    return new JObject { { "intent_id", (await c.SubmitIntentAsync(Body<CreateIntentRequest>(a), ct)).IntentId } };
                case "intentHandle": // client.Intent(id).<action>(…): the handle of an existing intent (REQ-CLIENT-010)
                    return await HandleCallAsync(c.Intent(Str(a, "intent_id")), a, ct);
                case "failIntent":
                    return (await c.FailIntentAsync(Str(a, "intent_id"), Error(a), Str(a, "delivery_id"), null, ct)).ToJson();
                case "cancelIntent": return (await c.CancelIntentAsync(Str(a, "intent_id"), Str(a, "reason"), null, ct)).ToJson();
                case "approveTask": return (await c.ApproveTaskAsync(Str(a, "intent_id"), Str(a, "comment"), null, ct)).ToJson();
                case "rejectTask": return (await c.RejectTaskAsync(Str(a, "intent_id"), Str(a, "comment"), null, ct)).ToJson();
                case "completeTask":
                    return (await c.CompleteTaskAsync(Str(a, "intent_id"), Str(a, "outcome") ?? "completed", a["data"] as JObject,
                        Str(a, "comment"), null, ct)).ToJson();
                case "waitFor":
                    {
                        long? ms = Long(a, "timeout_ms");
                        var intent = await c.WaitForAsync(Str(a, "intent_id"), ms.HasValue ? TimeSpan.FromMilliseconds(ms.Value) : (TimeSpan?)null, ct);
                        return intent.ToJson();
                    }
                default:
                    throw new UnsupportedMethodException(method);
            }
        }

        /// <summary>The request body: the args minus the operation's path parameters (payload contents untouched).</summary>
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
}
