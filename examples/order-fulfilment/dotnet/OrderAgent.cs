// The order fulfilment agent: one handler per workflow step. An exception fails the step; the
// platform retries charge_payment and ship (scenario.json: retry), otherwise the order ends FAILED
// with the exception's message as the reason.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Axme.Sdk;
using Newtonsoft.Json.Linq;

public static class OrderAgent
{
    private static readonly Dictionary<string, int> Stock = new Dictionary<string, int>
    {
        { "mug-blue", 10 }, { "tea-green", 4 }, { "lamp-red", 0 },
    };
    // Charge attempts per intent, to simulate a flaky payment gateway.
    private static readonly ConcurrentDictionary<string, int> GatewayCalls = new ConcurrentDictionary<string, int>();

    public static async Task<int> RunAsync(string[] args)
    {
        string address = args.Length > 0 ? args[0] : "order-fulfilment";
        using (var client = new AxmeClient(new AxmeClientConfig()))   // AXME_API_KEY, AXME_BASE_URL
        {
            Console.WriteLine("[agent] serving {0}", address);
            // Serves until SIGINT/SIGTERM, then lets the step in hand finish (REQ-LISTEN-007).
            await client.RunAgentAsync(address, HandleAsync);
        }
        Console.WriteLine("[agent] stopped");
        return 0;
    }

    private static Task<JObject> HandleAsync(DeliveryContext delivery)
    {
        JObject order = delivery.Intent.Payload;
        string step = delivery.Delivery.StepId;
        Console.WriteLine("[agent] {0}: {1} (attempt {2})", order.Value<string>("order_id"), step, delivery.Delivery.Attempt);
        try
        {
            return Task.FromResult(RunStep(step, delivery.IntentId, order));
        }
        catch (InvalidOperationException failure)
        {
            Console.WriteLine("[agent] {0} failed: {1}", step, failure.Message);
            throw;
        }
    }

    private static JObject RunStep(string step, string intentId, JObject order)
    {
        switch (step)
        {
            case "validate_inventory":
                foreach (JToken item in order["items"])
                {
                    string sku = item.Value<string>("sku");
                    int qty = item.Value<int>("qty"), left;
                    Stock.TryGetValue(sku, out left);
                    if (left < qty)
                        throw new InvalidOperationException(string.Format("out of stock: {0} (ordered {1}, {2} left)", sku, qty, left));
                }
                return new JObject { { "reserved", new JArray(order["items"].Select(i => i.Value<string>("sku"))) } };
            case "charge_payment":
                string card = order.Value<string>("card");
                if (card == "tok_declined")
                    throw new InvalidOperationException("payment declined: card " + card + " (insufficient funds)");
                if (GatewayCalls.AddOrUpdate(intentId, 1, (id, calls) => calls + 1) <= (order.Value<int?>("simulate_gateway_timeouts") ?? 0))
                    throw new InvalidOperationException("payment gateway timed out"); // transient: the platform retries
                return new JObject { { "charge_id", "ch_" + order.Value<string>("order_id") }, { "amount_cents", order["amount_cents"] } };
            case "ship":
                return new JObject
                {
                    { "tracking_number", "TRK-" + intentId.Substring(intentId.Length - 8).ToUpperInvariant() }, { "carrier", "ParcelCo" },
                    { "ship_to", order["ship_to"]["city"] },
                };
            default:
                throw new InvalidOperationException("unknown step " + step);
        }
    }
}
