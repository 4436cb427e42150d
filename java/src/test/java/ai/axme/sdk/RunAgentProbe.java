package ai.axme.sdk;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * REQ-LISTEN-007 test helper ({@link RunAgentTest}): an agent process that the test signals while its
 * one delivery is in hand. It finishes the delivery when a line arrives on stdin and prints what
 * runAgent returned; its exit status is main's.
 */
final class RunAgentProbe {
    private RunAgentProbe() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (AxmeClient client = AxmeClient.builder().build()) {
            long handled = client.runAgent(args[0], delivery -> {
                System.out.println("in hand " + delivery.intentId());
                System.out.flush();
                stdin.readLine();
                return Map.of("finished", true);
            });
            System.out.println("runAgent returned " + handled);
        }
    }
}
