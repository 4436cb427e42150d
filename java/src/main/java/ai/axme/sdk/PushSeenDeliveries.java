package ai.axme.sdk;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a push receiver remembers the delivery ids it accepted (REQ-PUSH-005). Replace the in-memory
 * one with a shared store when several receiver processes sit behind one URL.
 */
@FunctionalInterface
public interface PushSeenDeliveries {
    /**
     * @param deliveryId an accepted delivery id
     * @return false if the id was already accepted within the replay window (like {@code Set.add})
     */
    boolean add(String deliveryId);

    /** @return ids accepted in the last 10 minutes, in this process's memory */
    static PushSeenDeliveries inMemory() {
        return new InMemory(Push.REPLAY_WINDOW, Clock.systemUTC());
    }

    /**
     * @param ttl how long an id is remembered
     * @param clock the clock the TTL is measured with
     * @return an in-memory set
     */
    static PushSeenDeliveries inMemory(Duration ttl, Clock clock) {
        return new InMemory(ttl, clock);
    }

    /** Ids with the time they were accepted, oldest first, expired from the front. */
    final class InMemory implements PushSeenDeliveries {
        private final Duration ttl;
        private final Clock clock;
        private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

        InMemory(Duration ttl, Clock clock) {
            this.ttl = ttl;
            this.clock = clock;
        }

        @Override
        public synchronized boolean add(String deliveryId) {
            Instant now = clock.instant();
            Iterator<Map.Entry<String, Instant>> oldest = seen.entrySet().iterator();
            while (oldest.hasNext() && Duration.between(oldest.next().getValue(), now).compareTo(ttl) >= 0) {
                oldest.remove();
            }
            if (seen.containsKey(deliveryId)) {
                return false;
            }
            seen.put(deliveryId, now);
            return true;
        }

        /** @return how many ids are remembered */
        public synchronized int size() {
            return seen.size();
        }
    }
}
