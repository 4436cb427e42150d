package ai.axme.sdk;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** What one client owns: the transport, the async threads and the timer thread (watchdogs, lease renewal). */
final class ClientResources implements AutoCloseable {
    private final Transport core;
    private final ScheduledExecutorService scheduler;
    private final IdleWatchdog watchdog;
    private final AsyncRunner async = new AsyncRunner();

    ClientResources(Transport core) {
        this.core = core;
        AtomicInteger counter = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(1, task -> {
            Thread thread = new Thread(task, "axme-timer-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.watchdog = new IdleWatchdog(scheduler);
    }

    Transport core() {
        return core;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    IdleWatchdog watchdog() {
        return watchdog;
    }

    AsyncRunner async() {
        return async;
    }

    @Override
    public void close() {
        async.close();
        scheduler.shutdownNow();
    }
}
