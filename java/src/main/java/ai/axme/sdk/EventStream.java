package ai.axme.sdk;

import ai.axme.sdk.generated.Event;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A live, resumable view of one intent's events, from {@link AxmeClient#observe(String)}. Each
 * event is yielded as soon as its bytes arrive; iteration ends after the terminal event.
 * Reconnects (with {@code Last-Event-ID}) are invisible: no event is lost or repeated.
 *
 * <pre>{@code
 * try (EventStream events = client.observe(intentId)) {
 *     for (Event event : events) {
 *         System.out.println(event.getSeq() + " " + event.getEventType());
 *     }
 * }
 * }</pre>
 *
 * <p>Iterate once, from one thread; {@link #close()} may be called from any thread and ends the
 * iteration. Errors surface from {@code hasNext()} as {@link AxmeException}s.
 */
public final class EventStream implements Iterable<Event>, AutoCloseable {
    /** After a FAILED or TIMED_OUT end: the feed of the attempt that retried the intent, or null. */
    interface Successor {
        IntentEventFeed after(String intentId);
    }

    private volatile IntentEventFeed feed;
    private final ObjectMapper mapper;
    private final Successor successor;
    private volatile boolean closed;
    private boolean iterated;

    EventStream(IntentEventFeed feed, ObjectMapper mapper, Successor successor) {
        this.feed = feed;
        this.mapper = mapper;
        this.successor = successor;
    }

    /**
     * Blocks for the next event as the server sent it. After a FAILED or TIMED_OUT event of an
     * intent that was retried, goes on with the new attempt's events (REQ-REATTEMPT-009).
     *
     * @return the next event's JSON, or null after the terminal event or {@link #close()}
     */
    public JsonNode nextJson() {
        while (true) {
            JsonNode event = feed.next();
            String status = feed.lastStatus();
            if (event != null || closed || successor == null
                    || !("FAILED".equals(status) || "TIMED_OUT".equals(status))) {
                return event;
            }
            IntentEventFeed next = successor.after(feed.intentId());
            if (next == null) {
                return null;
            }
            feed = next;
            if (closed) {
                next.close();
            }
        }
    }

    /** @return the status of the last event yielded, or null */
    public String lastStatus() {
        return feed.lastStatus();
    }

    @Override
    public Iterator<Event> iterator() {
        if (iterated) {
            throw new IllegalStateException("an EventStream can be iterated only once");
        }
        iterated = true;
        return new Iterator<>() {
            private JsonNode next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = nextJson();
                }
                return next != null;
            }

            @Override
            public Event next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the event stream has ended");
                }
                JsonNode current = next;
                next = null;
                try {
                    return mapper.convertValue(current, Event.class);
                } catch (IllegalArgumentException mismatch) {
                    throw new StreamException("event does not match the Event model: " + mismatch.getMessage(), mismatch);
                }
            }
        };
    }

    /** Stops following the intent; a blocked {@code hasNext()} returns false. Never affects the intent. */
    @Override
    public void close() {
        closed = true;
        feed.close();
    }
}
