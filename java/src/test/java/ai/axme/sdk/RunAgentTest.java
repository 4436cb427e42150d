package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.AgentRegisteredResponse;
import ai.axme.sdk.generated.Event;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentStatus;
import ai.axme.sdk.generated.RegisterAgentRequest;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * REQ-LISTEN-007: runAgent serves until SIGINT/SIGTERM or the caller's interrupt, lets the handler in
 * hand finish within the grace, abandons it after without a write, and returns normally. The drain is
 * driven by interrupting the calling thread; the signals by a child JVM ({@link RunAgentProbe}).
 */
class RunAgentTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final ReferenceServer server = ReferenceServer.shared();
    private String adminKey;
    private AxmeClient admin;
    private AgentRegisteredResponse registered;
    private AxmeClient agent;

    @BeforeEach
    void workspace() throws Exception {
        adminKey = server.newNamespaceAdminKey();
        admin = client(adminKey);
        registered = admin.registerAgent(new RegisterAgentRequest().address("runner"));
        agent = client(registered.getApiKey());
    }

    @AfterEach
    void closeClients() {
        admin.close();
        agent.close();
    }

    private static AxmeClient client(String key) {
        return AxmeClient.builder().baseUrl(server.baseUrl()).apiKey(key).retryBaseDelay(Duration.ofMillis(20)).build();
    }

    private String send() {
        return admin.sendIntent(Map.of("intent_type", "intent.test.echo.v1", "to_agent", "runner", "payload", Map.of()));
    }

    /** runAgent on its own thread; interrupting that thread is the caller's cancellation. */
    private static final class Running {
        final CompletableFuture<Long> returned = new CompletableFuture<>();
        final Thread thread;

        Running(AxmeClient agent, String address, DeliveryHandler handler, Duration grace) {
            thread = new Thread(() -> {
                try {
                    returned.complete(agent.runAgent(address, handler, ListenOptions.defaults(), grace));
                } catch (Throwable failure) {
                    returned.completeExceptionally(failure);
                }
            }, "run-agent-test");
            thread.start();
        }

        long awaitReturn(Duration within) throws InterruptedException, ExecutionException, TimeoutException {
            return returned.get(within.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aStopLetsTheDeliveryInHandFinishAndTakesNoOther() throws Exception {
        CountDownLatch inHand = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Running running = new Running(agent, registered.getAgent().getAddress(), delivery -> {
            calls.incrementAndGet();
            inHand.countDown();
            release.await();
            return Map.of("finished", true);
        }, AxmeClient.DEFAULT_GRACE);
        String first = send();
        assertTrue(inHand.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        running.thread.interrupt();
        String second = send();
        release.countDown();
        assertEquals(1L, running.awaitReturn(Duration.ofSeconds(5)), "returns the count, no exception");
        Intent done = admin.getIntent(first);
        assertEquals(IntentStatus.COMPLETED, done.getStatus());
        assertEquals(Map.of("finished", true), done.getResult());
        List<String> types = new ArrayList<>();
        try (EventStream events = admin.observe(first)) {
            for (Event event : events) {
                types.add(event.getEventType().getValue());
            }
        }
        assertEquals(List.of("intent.submitted", "intent.delivered", "intent.acknowledged", "intent.completed"), types);
        assertEquals(1, calls.get(), "no delivery is taken after the stop");
        String left = admin.getIntent(second).getStatus().getValue();
        assertFalse(Terminal.isTerminal(left) || left.equals("ACKNOWLEDGED"), left);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 200})
    void afterTheGraceTheHandlerIsAbandonedWithoutAWrite(long graceMs) throws Exception {
        CountDownLatch inHand = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Running running = new Running(agent, registered.getAgent().getAddress(), delivery -> {
            inHand.countDown();
            while (never.getCount() > 0) {
                try {
                    never.await(); // deaf to interrupts: the grace must not wait for it
                } catch (InterruptedException ignored) {
                    // keep going
                }
            }
            return Map.of("late", true);
        }, Duration.ofMillis(graceMs));
        String id = send();
        assertTrue(inHand.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        long stopped = System.nanoTime();
        running.thread.interrupt();
        running.awaitReturn(Duration.ofMillis(graceMs + 3000));
        assertTrue(System.nanoTime() - stopped >= TimeUnit.MILLISECONDS.toNanos(graceMs), "waited for the grace");
        never.countDown();
        assertFalse(Terminal.isTerminal(admin.getIntent(id).getStatus().getValue()), "left to its lease");
        for (JsonNode request : server.recordedRequests(adminKey)) {
            assertFalse(request.path("path").asText().endsWith("/resume"), "no resume after the grace: " + request);
        }
    }

    @Test
    void anIdleAgentReturnsAtOnce() throws Exception {
        Running running = new Running(agent, registered.getAgent().getAddress(), delivery -> null,
                AxmeClient.DEFAULT_GRACE);
        running.thread.interrupt();
        assertEquals(0L, running.awaitReturn(Duration.ofSeconds(2)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalledAgentFinishesItsDeliveryAndExitsZero(String signal) throws Exception {
        String id = send();
        List<String> command = new ArrayList<>();
        if (new java.io.File("/proc/self/status").exists()) {
            // A JVM started with SIGINT ignored (a background job of a non-interactive shell, nohup)
            // never gets a handler for it: the probe starts with the signals' default handling.
            command.addAll(List.of("env", "--default-signal=INT,TERM"));
        }
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), RunAgentProbe.class.getName(), registered.getAgent().getAddress()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true); // the SDK logs the stop on stderr
        builder.environment().put("AXME_BASE_URL", server.baseUrl());
        builder.environment().put("AXME_API_KEY", registered.getApiKey());
        Process probe = builder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
                Writer in = probe.outputWriter(StandardCharsets.UTF_8)) {
            try {
                expect(out, "in hand " + id);
                assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(probe.pid())).start().waitFor());
                expect(out, "stopping");
                in.write("finish\n");
                in.flush();
                expect(out, "runAgent returned 1");
                assertTrue(probe.waitFor(10, TimeUnit.SECONDS), "exits by itself");
                assertEquals(0, probe.exitValue(), "SIG" + signal + " is how an agent ends, not a failure");
            } finally {
                // Before the streams close: killing the probe ends its output, so a reader still blocked
                // in expect() lets go of the stream instead of blocking its close for ever.
                probe.destroyForcibly();
            }
        }
        assertEquals(IntentStatus.COMPLETED, admin.getIntent(id).getStatus());
    }

    private static void expect(BufferedReader out, String text) throws Exception {
        AtomicReference<String> seen = new AtomicReference<>("");
        CompletableFuture<Boolean> found = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    seen.set(seen.get() + line + "\n");
                    if (line.contains(text)) {
                        return true;
                    }
                }
                return false;
            } catch (java.io.IOException closed) {
                return false;
            }
        });
        assertTrue(found.get(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the probe never printed \"" + text + "\":\n" + seen);
    }
}
