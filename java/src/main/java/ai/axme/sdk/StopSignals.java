package ai.axme.sdk;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * REQ-LISTEN-007: runs {@code onStop} once when the process gets SIGINT or SIGTERM, until closed.
 *
 * <p>The signals are handled through {@code sun.misc.Signal} (module jdk.unsupported, meant for
 * this use and still supported), reached by reflection because javac's "internal proprietary API"
 * warning cannot be suppressed under {@code -Xlint:all -Werror}. Handling the signal, rather than
 * adding a shutdown hook, is what lets {@code runAgent} return and {@code main} end with status 0:
 * once a shutdown hook runs the JVM is already exiting, with status 143 (SIGTERM) or 130 (SIGINT),
 * which an agent's supervisor would read as a failure. Where the JVM refuses the handlers
 * ({@code -Xrs}, or no sun.misc.Signal), a shutdown hook is the fallback: the drain still happens,
 * the status is the JVM's.
 */
final class StopSignals implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("ai.axme.sdk");
    private static final String[] SIGNALS = {"INT", "TERM"};

    private final AtomicBoolean fired = new AtomicBoolean();
    private final Runnable onStop;
    private final List<Object[]> restore = new ArrayList<>(); // {signal, previous handler}
    private Method handle;
    private Thread hook;

    /**
     * @param onStop what a signal does (called at most once, on the JVM's signal thread: it must not block)
     * @param drained the fallback shutdown hook waits on it so the drain ends before the JVM does
     */
    StopSignals(Runnable onStop, Runnable drained) {
        this.onStop = onStop;
        if (!handleSignals()) {
            hook = new Thread(() -> {
                fire();
                drained.run();
            }, "axme-run-agent-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    private void fire() {
        if (fired.compareAndSet(false, true)) {
            onStop.run();
        }
    }

    private boolean handleSignals() {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            fire();
                            yield null;
                        }
                        case "equals" -> proxy == args[0];
                        case "hashCode" -> System.identityHashCode(proxy);
                        default -> "axme runAgent stop handler";
                    });
            for (String name : SIGNALS) {
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                restore.add(new Object[] {signal, handle.invoke(null, signal, handler)});
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException unavailable) {
            Throwable cause = unavailable instanceof InvocationTargetException e ? e.getCause() : unavailable;
            LOG.log(Level.INFO, "runAgent: signals not handled ({0}); a shutdown hook drains instead", cause);
            close();
            return false;
        }
    }

    /** Puts the previous handlers (the JVM's: exit) back, or removes the shutdown hook. */
    @Override
    public void close() {
        for (Object[] installed : restore) {
            try {
                handle.invoke(null, installed[0], installed[1]);
            } catch (ReflectiveOperationException unexpected) {
                LOG.log(Level.WARNING, "runAgent: restoring the handler of SIG{0}: {1}", installed[0], unexpected);
            }
        }
        restore.clear();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: nothing to remove
            }
            hook = null;
        }
    }
}
