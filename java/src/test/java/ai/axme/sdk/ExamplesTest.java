package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.AgentRegisteredResponse;
import ai.axme.sdk.generated.RegisterAgentRequest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** examples/java: the approval agent and initiator run as real processes against a local server. */
class ExamplesTest {
    @Test
    void humanApprovalWorkflowRunsEndToEnd() throws Exception {
        ReferenceServer server = ReferenceServer.shared();
        String adminKey = server.newNamespaceAdminKey();
        String agentKey;
        String address;
        try (AxmeClient admin = AxmeClient.builder().baseUrl(server.baseUrl()).apiKey(adminKey).build()) {
            AgentRegisteredResponse registered = admin.registerAgent(new RegisterAgentRequest().address("change-validator"));
            agentKey = registered.getApiKey();
            address = registered.getAgent().getAddress();
        }
        Path logs = TestPaths.repoRoot().resolve("java/target/examples");
        Files.createDirectories(logs);
        Process agent = java("ai.axme.examples.ApprovalAgent", server.baseUrl(), agentKey, logs.resolve("agent.log"), address, "1");
        Process initiator = java("ai.axme.examples.ApprovalInitiator", server.baseUrl(), adminKey,
                logs.resolve("initiator.log"), address);
        try {
            assertTrue(initiator.waitFor(60, TimeUnit.SECONDS), "initiator finished");
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "agent finished");
            String initiatorLog = Files.readString(logs.resolve("initiator.log"), StandardCharsets.UTF_8);
            assertEquals(0, initiator.exitValue(), initiatorLog);
            assertEquals(0, agent.exitValue(), Files.readString(logs.resolve("agent.log"), StandardCharsets.UTF_8));
            assertTrue(initiatorLog.contains("approved the human step"), initiatorLog);
            assertTrue(initiatorLog.contains("final status COMPLETED"), initiatorLog);
            assertTrue(initiatorLog.contains("risk=high"), initiatorLog);
        } finally {
            agent.destroyForcibly();
            initiator.destroyForcibly();
        }
    }

    private static Process java(String mainClass, String baseUrl, String key, Path log, String... args) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(javaBin, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("AXME_BASE_URL", baseUrl);
        builder.environment().put("AXME_API_KEY", key);
        builder.directory(new File(System.getProperty("user.dir")));
        return builder.start();
    }
}
