// The migration validator of the human-approval workflow: checks the SQL's syntax, the target
// database and the risk, and returns its assessment for the on-call SRE (an exception fails the intent).
using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Axme.Sdk;
using Newtonsoft.Json.Linq;

public static class ApprovalAgent
{
    private static readonly string[] KnownTargets = { "prod-postgres-main", "staging-postgres-main" };
    private static readonly Regex Ddl = new Regex(@"^(CREATE|ALTER|DROP)\s+(UNIQUE\s+)?(INDEX|TABLE|COLUMN|VIEW)\b", RegexOptions.IgnoreCase);
    private static readonly Regex Destructive = new Regex(@"\b(DROP\s+(TABLE|COLUMN)|TRUNCATE|DELETE\s+FROM)\b", RegexOptions.IgnoreCase);

    public static async Task<int> RunAsync(string[] args)
    {
        string address = args.Length > 0 ? args[0] : "infra-validator";
        using (var client = new AxmeClient(new AxmeClientConfig()))   // AXME_API_KEY, AXME_BASE_URL
        {
            Console.WriteLine("[agent] serving {0}", address);
            // Serves until SIGINT/SIGTERM, then lets the step in hand finish (REQ-LISTEN-007).
            await client.RunAgentAsync(address, ValidateChangeAsync);
        }
        Console.WriteLine("[agent] stopped");
        return 0;
    }

    internal static JObject Assess(JObject change)
    {
        string sql = (change.Value<string>("sql") ?? "").Trim();
        string target = change.Value<string>("target");
        if (!Ddl.IsMatch(sql) || !sql.EndsWith(";") || sql.Count(c => c == '(') != sql.Count(c => c == ')'))
            throw new InvalidOperationException("syntax: not a single DDL statement: " + sql);
        if (!KnownTargets.Contains(target))
            throw new InvalidOperationException("target: unknown database " + target);
        if (string.IsNullOrEmpty(change.Value<string>("rollback_plan")))
            throw new InvalidOperationException("risk: a migration needs a rollback plan");
        string risk = Destructive.IsMatch(sql) ? "high"
            : target.StartsWith("prod-") && sql.IndexOf("CONCURRENTLY", StringComparison.OrdinalIgnoreCase) < 0 ? "medium" : "low";
        return new JObject
        {
            { "syntax", "ok" }, { "target", target }, { "risk", risk },
            { "checks", new JArray("single DDL statement", "known target", "rollback plan present") },
        };
    }

    private static Task<JObject> ValidateChangeAsync(DeliveryContext delivery)
    {
        JObject change = delivery.Intent.Payload;
        Console.WriteLine("[agent] validating {0} on {1} (attempt {2})", change.Value<string>("migration"),
            change.Value<string>("target"), delivery.Delivery.Attempt);
        JObject verdict = Assess(change);
        Console.WriteLine("[agent] risk {0}: handing over to the on-call SRE", verdict.Value<string>("risk"));
        return Task.FromResult(verdict);
    }
}
