import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.DeliveryContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The migration validator of the human-approval workflow: checks the SQL's syntax, the target
 * database and the risk, and returns its assessment for the on-call SRE (an exception fails the
 * intent).
 *
 * <pre>AXME_API_KEY=&lt;agent key&gt; AXME_BASE_URL=http://127.0.0.1:8787 java -cp "$CP" ApprovalAgent.java [infra-validator]</pre>
 */
public final class ApprovalAgent {
    private static final Set<String> KNOWN_TARGETS = Set.of("prod-postgres-main", "staging-postgres-main");
    private static final Pattern DDL = Pattern.compile(
            "^(CREATE|ALTER|DROP)\\s+(UNIQUE\\s+)?(INDEX|TABLE|COLUMN|VIEW)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern DESTRUCTIVE = Pattern.compile(
            "\\b(DROP\\s+(TABLE|COLUMN)|TRUNCATE|DELETE\\s+FROM)\\b", Pattern.CASE_INSENSITIVE);

    private ApprovalAgent() {
    }

    static Map<String, Object> assess(Map<String, Object> change) {
        String sql = String.valueOf(change.getOrDefault("sql", "")).strip();
        String target = String.valueOf(change.get("target"));
        long open = sql.chars().filter(c -> c == '(').count();
        long close = sql.chars().filter(c -> c == ')').count();
        if (!DDL.matcher(sql).find() || !sql.endsWith(";") || open != close) {
            throw new IllegalArgumentException("syntax: not a single DDL statement: " + sql);
        }
        if (!KNOWN_TARGETS.contains(target)) {
            throw new IllegalArgumentException("target: unknown database " + target);
        }
        if (change.get("rollback_plan") == null) {
            throw new IllegalArgumentException("risk: a migration needs a rollback plan");
        }
        String risk = DESTRUCTIVE.matcher(sql).find() ? "high"
                : target.startsWith("prod-") && !sql.toUpperCase().contains("CONCURRENTLY") ? "medium" : "low";
        return Map.of("syntax", "ok", "target", target, "risk", risk,
                "checks", List.of("single DDL statement", "known target", "rollback plan present"));
    }

    static Object validateChange(DeliveryContext delivery) {
        Map<String, Object> change = delivery.payload();
        System.out.printf("[agent] validating %s on %s (attempt %d)%n", change.get("migration"), change.get("target"),
                delivery.delivery().getAttempt());
        Map<String, Object> verdict = assess(change);
        System.out.printf("[agent] risk %s: handing over to the on-call SRE%n", verdict.get("risk"));
        return verdict;
    }

    public static void main(String[] args) {
        String address = args.length > 0 ? args[0] : "infra-validator";
        try (AxmeClient client = AxmeClient.builder().build()) { // AXME_API_KEY, AXME_BASE_URL
            System.out.println("[agent] serving " + address);
            // Serves until SIGINT/SIGTERM, then lets the step in hand finish (REQ-LISTEN-007).
            client.runAgent(address, ApprovalAgent::validateChange);
        }
        System.out.println("[agent] stopped");
    }
}
