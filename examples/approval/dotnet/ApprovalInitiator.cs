// Starts the human-approval workflow from ../scenario.json, follows it live and prints the outcome.
// The on-call SRE decides in between: `axme tasks approve <intent_id> --comment "…"` (or reject).
// Exits 0 when approved (COMPLETED), 1 otherwise. `bad-sql` submits a malformed statement, which the
// validator fails before anyone is asked.
using System;
using System.IO;
using System.Threading.Tasks;
using Axme.Sdk;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

public static class ApprovalInitiator
{
    public static async Task<int> RunAsync(string[] args)
    {
        JObject json = JObject.Parse(File.ReadAllText("../scenario.json"));
        if (Array.IndexOf(args, "bad-sql") >= 0)
            json["intent"]["payload"]["sql"] = "CREATE INDEX idx_users_email ON users (email;";
        var bundle = AxmeModel.FromJson<ScenarioBundle>(json);
        using (var client = new AxmeClient(new AxmeClientConfig()))   // AXME_API_KEY, AXME_BASE_URL
        {
            ApplyScenarioResponse applied = await client.ApplyScenarioAsync(bundle);
            foreach (ProvisionedAgent agent in applied.Agents)
            {
                if (agent.ApiKey != null)
                    Console.WriteLine("agent {0} created; its key (shown once): {1}", agent.Address, agent.ApiKey);
            }
            string intentId = applied.IntentId;
            Console.WriteLine("intent {0} submitted", intentId);

            IntentEventStream.Enumerator events = client.Observe(intentId).GetAsyncEnumerator();
            try
            {
                while (await events.MoveNextAsync())
                {
                    IntentEvent e = events.Current;
                    string step = e.Data.Value<string>("step_id");
                    Console.WriteLine("  #{0} {1} -> {2}{3}", e.Seq, e.EventType, e.Status, step != null ? " [" + step + "]" : "");
                    if (e.EventType == "intent.step_completed" && step == "validate_change")
                        Console.WriteLine("  validator: {0}", e.Data["result"].ToString(Formatting.None));
                    if (e.EventType == "intent.human_task_assigned")
                        Console.WriteLine("  waiting for the on-call SRE: axme tasks approve {0} --comment \"…\" (or reject)", intentId);
                }
            }
            finally
            {
                await events.DisposeAsync();
            }

            Intent final = await client.WaitForAsync(intentId);
            Console.WriteLine("final status {0}", final.Status);
            if (final.Status == IntentStatus.Completed)
            {
                Console.WriteLine("result: {0}", final.Result.ToString(Formatting.None));
                return 0;
            }
            Console.WriteLine("error: {0}: {1}", final.Error.Code, final.Error.Message);
            JToken comment = final.Error.Details == null ? null : final.Error.Details["comment"];
            if (comment != null)
                Console.WriteLine("reviewer's comment: {0}", comment);
            return 1;
        }
    }
}
