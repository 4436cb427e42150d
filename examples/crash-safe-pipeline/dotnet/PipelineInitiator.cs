// Runs the crash-safe pipeline (../scenario.json) and prints its lifecycle live: each step, a
// redelivery when the agent died mid-step, and the final status. `wrong-table` misspells the
// target table, so `load` fails and the run can be retried from that step with a payload patch.
using System;
using System.IO;
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

    public static async Task<int> RunAsync(string[] args)
    {
        JObject json = JObject.Parse(File.ReadAllText("../scenario.json"));
        if (Array.IndexOf(args, "wrong-table") >= 0)
            json["intent"]["payload"]["table"] = "warehouse.daily_order";
        var bundle = AxmeModel.FromJson<ScenarioBundle>(json);
        using (var client = new AxmeClient(new AxmeClientConfig()))   // AXME_API_KEY, AXME_BASE_URL
        {
            string intentId = (await client.ApplyScenarioAsync(bundle)).IntentId;
            Console.WriteLine("intent {0} submitted", intentId);

            IntentEventStream.Enumerator events = client.Observe(intentId).GetAsyncEnumerator();
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

            Intent final = await client.WaitForAsync(intentId);
            Console.WriteLine("final status {0}", final.Status);
            if (final.Status == IntentStatus.Completed)
            {
                Console.WriteLine("result: {0}", final.Result.ToString(Formatting.None));
                return 0;
            }
            Console.WriteLine("error: {0}", final.Error.Message);
            Console.WriteLine("retry from the failed step: axme intents retry {0} --payload-patch '{{\"table\": \"warehouse.daily_orders\"}}'", intentId);
            return 1;
        }
    }
}
