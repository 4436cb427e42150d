package ai.axme.sdk;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One open SSE response: the parser over an idle-watched body. Closing it from any thread unblocks the reader. */
final class SseConnection implements Closeable {
    private final IdleWatchdog.WatchedStream body;
    private final SseParser parser;
    private volatile boolean closed;

    private SseConnection(IdleWatchdog.WatchedStream body) {
        this.body = body;
        this.parser = new SseParser(new BufferedInputStream(body, 8192));
    }

    /** Opens the stream; API errors and connection failures are thrown as {@link AxmeException}s. */
    static SseConnection open(HttpCore core, IdleWatchdog watchdog, ApiRequest request, Duration idleTimeout) {
        HttpResponse<InputStream> response = core.openStream(request);
        return new SseConnection(watchdog.watch(response.body(), idleTimeout));
    }

    /** @return the next event, or null when the server ended the stream */
    SseEvent next() throws IOException {
        return parser.next();
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
    }
}
