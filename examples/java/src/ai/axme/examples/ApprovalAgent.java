package ai.axme.examples;

import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.DeliveryContext;
import ai.axme.sdk.ListenOptions;
import java.util.Map;

/**
 * The agent of the human-approval workflow: it validates a proposed infrastructure change and
 * hands it on to a human approver (the intent's second, human step).
 *
 * <pre>
 * AXME_BASE_URL=http://127.0.0.1:8787 AXME_API_KEY=axme_agent_… \
 *   java … ai.axme.examples.ApprovalAgent agent://local/default/change-validator [max-deliveries]
 * </pre>
 */
public final class ApprovalAgent {
    private ApprovalAgent() {
    }

    /**
     * @param args the agent address, then optionally how many deliveries to handle before exiting
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ApprovalAgent AGENT_ADDRESS [MAX_DELIVERIES]");
            System.exit(2);
        }
        long maxDeliveries = args.length > 1 ? Long.parseLong(args[1]) : 0;
        try (AxmeClient client = AxmeClient.builder().build()) {
            System.out.println("agent: serving " + args[0]);
            // Until the delivery limit, or SIGINT/SIGTERM (the delivery in hand then finishes, REQ-LISTEN-007).
            long handled = client.runAgent(args[0], ApprovalAgent::validate, new ListenOptions(maxDeliveries),
                    AxmeClient.DEFAULT_GRACE);
            System.out.println("agent: handled " + handled + " deliveries");
        }
    }

    /** Checks the change and returns the assessment the human approver will see. */
    static Object validate(DeliveryContext delivery) {
        Map<String, Object> change = delivery.payload();
        System.out.println("agent: validating " + delivery.intentId() + " " + change);
        Object target = change.get("target");
        if (target == null) {
            throw new IllegalArgumentException("the change names no target"); // fails the intent (agent_error)
        }
        delivery.reportProgress(Map.of("stage", "dry-run"));
        boolean production = String.valueOf(target).startsWith("prod");
        return Map.of(
                "target", target,
                "risk", production ? "high" : "low",
                "dry_run", "ok",
                "summary", "migration validated against a snapshot of " + target);
    }
}
