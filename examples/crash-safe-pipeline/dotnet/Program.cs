// Entry point: `dotnet run -- agent [address]` or `dotnet run -- initiator [args]`.
// Ctrl-C cancels the token every call is given.
using System;
using System.Threading;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || (args[0] != "agent" && args[0] != "initiator"))
        {
            Console.Error.WriteLine("usage: Pipeline agent [address] | initiator [args]");
            return 2;
        }
        using (var stop = new CancellationTokenSource())
        {
            Console.CancelKeyPress += (sender, e) => { e.Cancel = true; stop.Cancel(); };
            string[] rest = new string[args.Length - 1];
            Array.Copy(args, 1, rest, 0, rest.Length);
            // C# 7.2 (what Mono's mcs builds here) has no async Main: wait for the async body.
            return args[0] == "agent"
                ? PipelineAgent.RunAsync(rest, stop.Token).GetAwaiter().GetResult()
                : PipelineInitiator.RunAsync(rest, stop.Token).GetAwaiter().GetResult();
        }
    }
}
