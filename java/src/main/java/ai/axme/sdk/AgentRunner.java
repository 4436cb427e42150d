package ai.axme.sdk;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@link AxmeClient#runAgent}: a listener that ends the way REQ-LISTEN-007 says an agent process ends. */
final class AgentRunner {
    private static final System.Logger LOG = System.getLogger("ai.axme.sdk");

    private AgentRunner() {
    }

    /**
     * Serves until SIGINT/SIGTERM, the calling thread's interrupt (the caller's cancellation) or the
     * listener's own end; then lets the delivery in hand finish for up to {@code grace}. The listener
     * starts only once the signal handlers are in place: a signal that came with a delivery already in
     * hand would otherwise end the JVM without the drain.
     */
    static long run(Listener listener, Duration grace, ScheduledExecutorService scheduler) {
        Runnable stop = () -> {
            LOG.log(Level.INFO, "runAgent {0}: stopping; the delivery in hand may finish within {1}",
                    listener.address(), grace);
            listener.stopTaking();
            scheduler.schedule(listener::abandon, grace.toMillis(), TimeUnit.MILLISECONDS);
        };
        boolean interrupted = false;
        StopSignals signals = new StopSignals(stop, () -> awaitUninterruptibly(listener, grace.plusSeconds(1)));
        listener.start(); // (stopped before it starts: it ends at once)
        try {
            listener.awaitTermination(Duration.ofMillis(Long.MAX_VALUE));
        } catch (InterruptedException cancelled) {
            interrupted = true;
            stop.run();
            awaitUninterruptibly(listener, grace.plusSeconds(1));
        } finally {
            signals.close();
            listener.stopTaking();
            if (interrupted) {
                Thread.currentThread().interrupt(); // the caller's cancellation stays visible to it
            }
        }
        if (listener.failure().isPresent() && listener.failure().get() instanceof RuntimeException fatal) {
            throw fatal; // 401, 403, unknown agent…: not a stop
        }
        return listener.deliveriesHandled();
    }

    private static void awaitUninterruptibly(Listener listener, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        boolean interrupted = false;
        while (listener.isRunning() && System.nanoTime() < deadline) {
            try {
                listener.awaitTermination(Duration.ofNanos(deadline - System.nanoTime()));
            } catch (InterruptedException again) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
