// Runs the crash-safe pipeline (../scenario.json) and prints its lifecycle live: each step, a
// redelivery when the agent died mid-step, and the final status.
using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

public static class PipelineInitiator
{
    private static string Short(JToken id)
    {
        return ((string)id).Substring(0, 8);
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var bundle = AxmeModel.FromJson<ScenarioBundle>(JObject.Parse(File.ReadAllText("../scenario.json")));
        using (var client = new AxmeClient(new AxmeClientConfig()))   // AXME_API_KEY, AXME_BASE_URL
        {
            string intentId = (await client.ApplyScenarioAsync(bundle, cancellationToken)).IntentId;
            Console.WriteLine("intent {0} submitted", intentId);

            IntentEventStream.Enumerator events = client.Observe(intentId, cancellationToken).GetAsyncEnumerator();
            try
            {
                while (await events.MoveNextAsync())
                {
                    IntentEvent e = events.Current;
                    string step = e.Data.Value<string>("step_id");
                    string detail = step != null ? " [" + step + "]" : "";
                    if (e.EventType == "intent.delivered")
                        detail += " delivery " + Short(e.Data["delivery_id"]) + " attempt " + e.Data["attempt"];
                    if (e.EventType == "intent.redelivered")
                        detail += " " + e.Data["reason"] + " (delivery " + Short(e.Data["previous_delivery_id"]) + " lost)";
                    Console.WriteLine("  #{0} {1} -> {2}{3}", e.Seq, e.EventType, e.Status, detail);
                }
            }
            finally
            {
                await events.DisposeAsync();
            }

            Intent final = await client.WaitForAsync(intentId, cancellationToken);
            bool completed = final.Status == IntentStatus.Completed;
            Console.WriteLine("final status {0}", final.Status);
            Console.WriteLine("result: {0}", completed ? final.Result.ToString(Formatting.None) : final.Error.ToString());
            return completed ? 0 : 1;
        }
    }
}
