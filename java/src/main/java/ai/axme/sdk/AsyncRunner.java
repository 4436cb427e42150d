package ai.axme.sdk;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs blocking SDK calls for {@link AxmeAsyncClient} on the client's daemon threads.
 * Cancelling a returned future interrupts the call, which the transport treats as cancellation
 * (the request is aborted and never retried).
 */
final class AsyncRunner implements AutoCloseable {
    private final ExecutorService executor;

    AsyncRunner() {
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory threads = task -> {
            Thread thread = new Thread(task, "axme-async-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = Executors.newCachedThreadPool(threads);
    }

    <T> CompletableFuture<T> run(Supplier<T> call) {
        InterruptingFuture<T> future = new InterruptingFuture<>();
        future.task = executor.submit(() -> {
            try {
                future.complete(call.get());
            } catch (Throwable failure) {
                future.completeExceptionally(failure);
            }
        });
        return future;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** A CompletableFuture whose cancel(…) also interrupts the thread running the call. */
    private static final class InterruptingFuture<T> extends CompletableFuture<T> {
        private volatile Future<?> task;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Future<?> running = task;
            if (cancelled && running != null) {
                running.cancel(true);
            }
            return cancelled;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
