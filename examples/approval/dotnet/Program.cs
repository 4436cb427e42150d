// Entry point: `dotnet run -- agent [address]` or `dotnet run -- initiator [args]`.
// Ctrl-C ends the initiator (the workflow carries on); the agent stops as RunAgentAsync says.
using System;
using System.Linq;

public static class Program
{
    // C# 7.2 (what Mono's mcs builds here) has no async Main: wait for the async body.
    public static int Main(string[] args)
    {
        string[] rest = args.Skip(1).ToArray();
        if (args.FirstOrDefault() == "agent") return ApprovalAgent.RunAsync(rest).GetAwaiter().GetResult();
        if (args.FirstOrDefault() == "initiator") return ApprovalInitiator.RunAsync(rest).GetAwaiter().GetResult();
        Console.Error.WriteLine("usage: Approval agent [address] | initiator [args]");
        return 2;
    }
}
