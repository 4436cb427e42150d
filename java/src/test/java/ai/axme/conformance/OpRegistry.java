package ai.axme.conformance;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Ops in flight, so that {@code cancel} can reach them: interrupt their thread and run their close
 * hooks. The worker thread registers itself when it starts, so a cancel that arrives before the op
 * ran still ends it (with {@code Canceled}) instead of leaving it without a final line.
 */
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
        private volatile Thread worker;
        private volatile boolean cancelled;

        /** Called first thing on the op's own thread. */
        synchronized void started() {
            worker = Thread.currentThread();
            if (cancelled) {
                worker.interrupt();
            }
        }

        /** Called last on the op's thread: a late cancel must not interrupt whatever runs next there. */
        synchronized void ended() {
            worker = null;
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
            synchronized (this) {
                cancelled = true;
                if (worker != null) {
                    worker.interrupt();
                }
            }
            hooks.forEach(Runnable::run);
        }
    }
}
