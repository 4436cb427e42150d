// The ETL worker of the crash-safe pipeline: extract -> validate -> transform -> load. Each step
// records its side effect once, keyed on intent id + step id (a redelivery has a new delivery id).
// With CRASH_DURING_STEP=transform it kills itself in the middle of that step (after the effect,
// before the result); the platform redelivers after the lease and a restarted agent finishes.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Axme.Sdk;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;

public static class PipelineAgent
{
    private static readonly string Effects = Environment.GetEnvironmentVariable("PIPELINE_EFFECTS") ?? "effects.log";
    private static readonly object EffectsLock = new object();
    private static readonly string[] WarehouseTables = { "warehouse.daily_orders" };

    public static async Task<int> RunAsync(string[] args)
    {
        string address = args.Length > 0 ? args[0] : "etl-worker";
        using (var client = new AxmeClient(new AxmeClientConfig()))   // AXME_API_KEY, AXME_BASE_URL
        {
            Console.WriteLine("[agent] serving {0}", address);
            // Serves until SIGINT/SIGTERM, then lets the step in hand finish (REQ-LISTEN-007).
            await client.RunAgentAsync(address, HandleAsync);
        }
        Console.WriteLine("[agent] stopped");
        return 0;
    }

    // The step's side effect, e.g. a row under a unique key (intent_id, step_id).
    private static void RecordOnce(string intentId, string step, string deliveryId)
    {
        lock (EffectsLock)
        {
            string[] done = (File.Exists(Effects) ? File.ReadAllLines(Effects) : new string[0])
                .Select(line => line.Split(' ')).FirstOrDefault(f => f.Length == 3 && f[0] == intentId && f[1] == step);
            if (done != null)
            {
                Console.WriteLine("[agent] {0}: effect already recorded by delivery {1}; not repeating it", step, done[2].Substring(0, 8));
                return;
            }
            File.AppendAllText(Effects, intentId + " " + step + " " + deliveryId + "\n");
        }
    }

    private static JObject Earlier(Intent intent, string stepId)
    {
        return intent.Steps.First(s => s.StepId == stepId).Result;
    }

    private static bool IsAmount(JToken row)
    {
        decimal amount;
        return decimal.TryParse(row.Value<string>("amount"), NumberStyles.Number, CultureInfo.InvariantCulture, out amount);
    }

    private static JObject RunStep(string step, Intent intent)
    {
        switch (step)
        {
            case "extract":
                return new JObject { { "rows", intent.Payload["rows"] } };
            case "validate":
                JToken[] rows = Earlier(intent, "extract")["rows"].ToArray();
                return new JObject
                {
                    { "valid", new JArray(rows.Where(IsAmount)) },
                    { "rejected", new JArray(rows.Where(r => !IsAmount(r)).Select(r => r.Value<string>("order_id"))) },
                };
            case "transform":
                JToken[] valid = Earlier(intent, "validate")["valid"].ToArray();
                var totals = new JObject();
                foreach (var currency in valid.GroupBy(r => r.Value<string>("currency")))
                    totals[currency.Key] = currency.Sum(r => (int)Math.Round(decimal.Parse(r.Value<string>("amount"), CultureInfo.InvariantCulture) * 100));
                return new JObject { { "totals_cents", totals }, { "rows", valid.Length } };
            default:
                string table = intent.Payload.Value<string>("table");
                if (!WarehouseTables.Contains(table))
                    throw new InvalidOperationException("load: no table " + table + " in the warehouse");   // fix and retry
                return new JObject { { "table", table }, { "rows_loaded", Earlier(intent, "transform")["rows"] } };
        }
    }

    private static Task<JObject> HandleAsync(DeliveryContext delivery)
    {
        string step = delivery.Delivery.StepId;
        Console.WriteLine("[agent] {0} (delivery {1}, attempt {2})", step, delivery.DeliveryId.Substring(0, 8), delivery.Delivery.Attempt);
        JObject result = RunStep(step, delivery.Intent);
        RecordOnce(delivery.IntentId, step, delivery.DeliveryId);
        if (step == Environment.GetEnvironmentVariable("CRASH_DURING_STEP"))
        {
            Console.WriteLine("[agent] crashing in the middle of {0}: effect recorded, result not sent", step);
            Process.GetCurrentProcess().Kill();   // like kill -9: no result, no cleanup
        }
        return Task.FromResult(result);
    }
}
