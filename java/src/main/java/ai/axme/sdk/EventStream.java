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
    private final IntentEventFeed feed;
    private final ObjectMapper mapper;
    private boolean iterated;

    EventStream(IntentEventFeed feed, ObjectMapper mapper) {
        this.feed = feed;
        this.mapper = mapper;
    }

    /**
     * Blocks for the next event as the server sent it.
     *
     * @return the next event's JSON, or null after the terminal event or {@link #close()}
     */
    public JsonNode nextJson() {
        return feed.next();
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
                    next = feed.next();
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
        feed.close();
    }
}
