// Human-approval workflow, agent side: validates each change request it is sent.
// The platform then holds the intent for a human decision (see ApprovalInitiator.cs).
//
//   AXME_BASE_URL=http://127.0.0.1:8787 AXME_API_KEY=<agent key> mono ApprovalAgent.exe [address] [--max N]
using System;
using System.Threading.Tasks;
using Axme.Sdk;
using Newtonsoft.Json.Linq;

public static class ApprovalAgent
{
    public static int Main(string[] args)
    {
        string address = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "infra-validator";
        int? max = null;
        int at = Array.IndexOf(args, "--max");
        if (at >= 0 && at + 1 < args.Length) max = int.Parse(args[at + 1]);

        using (var client = new AxmeClient(new AxmeClientConfig()))   // key and URL from the environment
        {
            Console.WriteLine("agent {0}: listening", address);
            // Until SIGINT/SIGTERM (the delivery in hand then finishes, REQ-LISTEN-007) or --max deliveries.
            int handled = client.RunAgentAsync(address, ValidateAsync, options: new ListenOptions { MaxDeliveries = max })
                .GetAwaiter().GetResult();
            Console.WriteLine("agent {0}: handled {1} deliveries", address, handled);
        }
        return 0;
    }

    private static async Task<JObject> ValidateAsync(DeliveryContext delivery)
    {
        JObject payload = delivery.Intent.Payload;
        Console.WriteLine("agent: validating {0} on {1} (intent {2})", payload.Value<string>("change_type"),
            payload.Value<string>("target"), delivery.IntentId);
        await delivery.ReportProgressAsync(new JObject { { "step", "dry-run" } });
        if (string.IsNullOrEmpty(payload.Value<string>("target")))
        {
            // Any exception fails the intent with {"code":"agent_error","message":<its message>}.
            throw new InvalidOperationException("payload.target is required");
        }
        return new JObject
        {
            { "validated", true },
            { "checks", new JArray("backup-exists", "migration-reversible", "no-long-locks") },
        };
    }
}
