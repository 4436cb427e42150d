// Places an order through the fulfilment workflow (../scenario.json), prints every step live and the
// tracking number from the result. Exits 1 when the order FAILED (the reason is printed).
using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Axme.Sdk;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json.Linq;

public static class OrderInitiator
{
    private static readonly Dictionary<string, JObject> Variants = new Dictionary<string, JObject>
    {
        { "in-stock", new JObject { { "order_id", "ord-1001" } } },
        { "out-of-stock", new JObject { { "order_id", "ord-1002" }, { "items", new JArray(new JObject { { "sku", "lamp-red" }, { "qty", 1 } }) } } },
        { "declined", new JObject { { "order_id", "ord-1003" }, { "card", "tok_declined" } } },
    };

    public static async Task<int> RunAsync(string[] args)
    {
        string variant = args.Length > 0 ? args[0] : "in-stock";
        JObject json = JObject.Parse(File.ReadAllText("../scenario.json"));
        JObject payload = (JObject)json["intent"]["payload"];
        payload.Merge(Variants[variant], new JsonMergeSettings { MergeArrayHandling = MergeArrayHandling.Replace });
        using (var client = new AxmeClient(new AxmeClientConfig()))   // AXME_API_KEY, AXME_BASE_URL
        {
            ApplyScenarioResponse applied = await client.ApplyScenarioAsync(AxmeModel.FromJson<ScenarioBundle>(json));
            string intentId = applied.IntentId;
            Console.WriteLine("intent {0} submitted (order {1}, {2})", intentId, payload["order_id"], variant);

            IntentEventStream.Enumerator events = client.Observe(intentId).GetAsyncEnumerator();
            try
            {
                while (await events.MoveNextAsync())
                {
                    IntentEvent e = events.Current;
                    string step = e.Data.Value<string>("step_id");
                    string detail = step != null ? " [" + step + "]" : "";
                    if (e.EventType == "intent.redelivered")
                        detail += " " + e.Data["reason"] + ": " + e.Data.SelectToken("error.message");
                    Console.WriteLine("  #{0} {1} -> {2}{3}", e.Seq, e.EventType, e.Status, detail);
                }
            }
            finally
            {
                await events.DisposeAsync();
            }

            Intent final = await client.WaitForAsync(intentId);
            Console.WriteLine("final status {0}", final.Status);
            if (final.Status != IntentStatus.Completed)
            {
                Console.WriteLine("reason: {0}", final.Error.Message);
                return 1;
            }
            Console.WriteLine("tracking number: {0}", final.Result["tracking_number"]);
            return 0;
        }
    }
}
