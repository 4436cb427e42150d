package ai.axme.sdk;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes a stream that has received no bytes (not even a keepalive) for the idle timeout, which
 * unblocks its reader so it can reconnect. java.net.http has no read timeout of its own.
 */
final class IdleWatchdog {
    private final ScheduledExecutorService scheduler;

    IdleWatchdog(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    WatchedStream watch(InputStream in, Duration idleTimeout) {
        return new WatchedStream(in, idleTimeout);
    }

    /** An input stream that records activity and is closed by the watchdog when idle. */
    final class WatchedStream extends FilterInputStream {
        private final long idleNanos;
        private final AtomicBoolean timedOut = new AtomicBoolean();
        private final ScheduledFuture<?> check;
        private volatile long lastActivity = System.nanoTime();

        private WatchedStream(InputStream in, Duration idleTimeout) {
            super(in);
            this.idleNanos = idleTimeout.toNanos();
            long period = Math.max(10, idleTimeout.toMillis() / 4);
            this.check = scheduler.scheduleAtFixedRate(this::closeIfIdle, period, period, TimeUnit.MILLISECONDS);
        }

        boolean timedOut() {
            return timedOut.get();
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            lastActivity = System.nanoTime();
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            lastActivity = System.nanoTime();
            return n;
        }

        @Override
        public void close() throws IOException {
            check.cancel(false);
            super.close();
        }

        private void closeIfIdle() {
            if (System.nanoTime() - lastActivity > idleNanos && timedOut.compareAndSet(false, true)) {
                try {
                    close();
                } catch (IOException ignored) {
                    // the reader sees the failure on its next read; nothing more to do here
                }
            }
        }
    }
}
