// Human-approval workflow, initiator side: submit a change, follow its lifecycle live, and
// (with --approve, standing in for the human who would use `axme tasks approve`) approve it
// once it waits for a human.
//
//   AXME_BASE_URL=http://127.0.0.1:8787 AXME_API_KEY=<admin key> mono ApprovalInitiator.exe [--to ADDRESS] [--approve]
using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json.Linq;

public static class ApprovalInitiator
{
    public static int Main(string[] args)
    {
        // C# 7.2 has no async Main: run the async body and wait for it here.
        return RunAsync(args).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string[] args)
    {
        int at = Array.IndexOf(args, "--to");
        string toAgent = at >= 0 && at + 1 < args.Length ? args[at + 1] : "infra-validator";
        bool approve = Array.IndexOf(args, "--approve") >= 0;
        Console.WriteLine("initiator: runtime {0} {1}", Type.GetType("Mono.Runtime") != null ? "Mono" : "CoreCLR", Environment.Version);

        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
        using (var client = new AxmeClient(new AxmeClientConfig()))
        {
            string intentId = await client.SendIntentAsync(new CreateIntentRequest
            {
                IntentType = "intent.infra.change_approval.v1",
                ToAgent = toAgent,
                Payload = new JObject { { "change_type", "database_migration" }, { "target", "prod-postgres-main" } },
                HumanTask = new HumanTask
                {
                    Title = "Approve the prod-postgres-main migration",
                    TaskType = "approval",
                    AllowedOutcomes = new[] { "approved", "rejected" },
                },
            }, timeout.Token);
            Console.WriteLine("initiator: submitted {0}", intentId);

            // Observe yields each event the moment it is committed.
            IntentEventStream.Enumerator events = client.Observe(intentId, timeout.Token).GetAsyncEnumerator();
            try
            {
                while (await events.MoveNextAsync())
                {
                    IntentEvent e = events.Current;
                    Console.WriteLine("  #{0} {1,-28} {2}{3}", e.Seq, e.EventType, e.Status,
                        e.WaitingReason != null ? " (" + e.WaitingReason + ")" : "");
                    if (approve && e.EventType == EventType.IntentHumanTaskAssigned)
                    {
                        await client.ApproveTaskAsync(intentId, "dry-run looks clean", null, timeout.Token);
                        Console.WriteLine("initiator: approved as the human reviewer");
                    }
                }
            }
            finally
            {
                await events.DisposeAsync();
            }

            Intent final = await client.WaitForAsync(intentId, TimeSpan.FromSeconds(30), timeout.Token);
            Console.WriteLine("initiator: {0} result={1}", final.Status, final.Result == null ? "null" : final.Result.ToString(Newtonsoft.Json.Formatting.None));
            return final.Status == IntentStatus.Completed ? 0 : 1;
        }
    }
}
