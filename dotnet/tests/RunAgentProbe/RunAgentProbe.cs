// REQ-LISTEN-007 test helper (RunAgentTests): an agent process that RunAgentTests signals while
// its one delivery is in hand. It prints the SDK's trace (the stop is logged there), finishes
// the delivery when a line arrives on stdin and prints what RunAgentAsync returned.
using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Axme.Sdk;
using Newtonsoft.Json.Linq;

public static class RunAgentProbe
{
    public static int Main(string[] args)
    {
        AxmeLogging.Source.Switch.Level = SourceLevels.Information;
        AxmeLogging.Source.Listeners.Add(new ConsoleTraceListener());
        Console.Out.Flush();
        using (var client = new AxmeClient(new AxmeClientConfig()))
        {
            int handled = client.RunAgentAsync(args[0], delivery =>
            {
                Console.WriteLine("in hand " + delivery.IntentId);
                Console.Out.Flush();
                return Task.Run(() =>
                {
                    Console.In.ReadLine();
                    return new JObject { { "finished", true } };
                });
            }).GetAwaiter().GetResult();
            Console.WriteLine("RunAgentAsync returned " + handled);
        }
        return 0;
    }
}
