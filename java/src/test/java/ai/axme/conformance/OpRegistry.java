package ai.axme.conformance;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;

/** Ops in flight, so that {@code cancel} can reach them: interrupt their thread and run their close hooks. */
final class OpRegistry {
    private final Map<Long, Op> running = new ConcurrentHashMap<>();

    Op register(long id) {
        Op op = new Op();
        running.put(id, op);
        return op;
    }

    void finished(long id) {
        running.remove(id);
    }

    /** @return true if the op was running and is now being cancelled */
    boolean cancel(long id) {
        Op op = running.get(id);
        if (op == null) {
            return false;
        }
        op.cancel();
        return true;
    }

    /** One op: its worker future and what to close when it is cancelled. */
    static final class Op {
        private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
        private volatile Future<?> future;
        private volatile boolean cancelled;

        void attach(Future<?> future) {
            this.future = future;
            if (cancelled) {
                future.cancel(true);
            }
        }

        void onCancel(Runnable hook) {
            hooks.add(hook);
            if (cancelled) {
                hook.run();
            }
        }

        boolean cancelled() {
            return cancelled;
        }

        void throwIfCancelled() {
            if (cancelled) {
                throw new CancellationException("cancelled by the harness");
            }
        }

        private void cancel() {
            cancelled = true;
            hooks.forEach(Runnable::run);
            Future<?> running = future;
            if (running != null) {
                running.cancel(true);
            }
        }
    }
}
