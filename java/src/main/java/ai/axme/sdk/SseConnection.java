package ai.axme.sdk;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * One open SSE response. A daemon "pump" thread parses the idle-watched body and hands events
 * over a queue, because java.net.http's body stream swallows interrupts: waiting on the queue
 * instead keeps a blocked caller cancellable (interrupt → the connection is closed and
 * {@link CancellationException} is thrown). Closing it from any thread unblocks the caller.
 */
final class SseConnection implements Closeable {
    private static final Object END = new Object();

    private final IdleWatchdog.WatchedStream body;
    private final BlockingQueue<Object> frames = new ArrayBlockingQueue<>(256);
    private volatile boolean closed;

    private SseConnection(IdleWatchdog.WatchedStream body) {
        this.body = body;
        SseParser parser = new SseParser(new BufferedInputStream(body, 8192));
        Thread pump = new Thread(() -> pump(parser), "axme-sse-reader");
        pump.setDaemon(true);
        pump.start();
    }

    /** Opens the stream; API errors and connection failures are thrown as {@link AxmeException}s. */
    static SseConnection open(Transport core, IdleWatchdog watchdog, ApiRequest request, Duration idleTimeout) {
        HttpResponse<InputStream> response = core.openStream(request);
        return new SseConnection(watchdog.watch(response.body(), idleTimeout));
    }

    /**
     * @return the next event, or null when the server ended the stream (or it was closed)
     * @throws IOException when the connection failed (dropped, idle timeout)
     * @throws CancellationException when the calling thread is interrupted
     */
    SseEvent next() throws IOException {
        Object item;
        try {
            item = frames.take();
        } catch (InterruptedException interrupted) {
            close();
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while reading the event stream");
        }
        if (item instanceof IOException) {
            throw (IOException) item;
        }
        return item == END ? null : (SseEvent) item;
    }

    boolean idleTimedOut() {
        return body.timedOut();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        try {
            body.close();
        } catch (IOException ignored) {
            // closing is best effort; the connection is abandoned either way
        }
        frames.clear();
        frames.offer(END); // wake a caller blocked in next()
    }

    private void pump(SseParser parser) {
        try {
            SseEvent event;
            while (!closed && (event = parser.next()) != null) {
                hand(event);
            }
            hand(END);
        } catch (IOException failure) {
            hand(closed ? END : failure);
        }
    }

    private void hand(Object item) {
        try {
            while (!closed && !frames.offer(item, 100, TimeUnit.MILLISECONDS)) {
                continue; // the consumer is slow; keep waiting unless the connection was closed
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
