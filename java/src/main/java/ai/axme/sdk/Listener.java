package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A running agent loop from {@link AxmeClient#listen(String, DeliveryHandler)}: one thread reads
 * deliveries (stream, reconnecting as needed), another runs the handler for each in turn. Close it
 * to stop; a handler still running is interrupted and its delivery left to be redelivered.
 */
public final class Listener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("ai.axme.sdk");

    private final String address;
    private final ListenOptions options;
    private final DeliveryFeed feed;
    private final DeliveryProcessor processor;
    private final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
    private final AtomicLong handled = new AtomicLong();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Thread reader;
    private final Thread worker;
    private volatile boolean stopping;
    private volatile boolean abandoned;
    private volatile Throwable failure;

    Listener(String address, ListenOptions options, FeedFactory feeds, DeliveryProcessor processor) {
        this.address = address;
        this.options = options;
        this.feed = feeds.create(queue::add);
        this.processor = processor;
        this.reader = new Thread(this::readLoop, "axme-listen-reader " + address);
        this.worker = new Thread(this::workLoop, "axme-listen-worker " + address);
        reader.setDaemon(true);
        worker.setDaemon(true);
    }

    /** Creates the feed once the listener's queue exists. */
    interface FeedFactory {
        DeliveryFeed create(Consumer<JsonNode> sink);
    }

    void start() {
        reader.start();
        worker.start();
    }

    /** @return the agent address being served */
    public String address() {
        return address;
    }

    /** @return how many deliveries were acked and handed to the handler so far */
    public long deliveriesHandled() {
        return handled.get();
    }

    /** @return true until the listener was closed, reached its delivery limit or failed */
    public boolean isRunning() {
        return terminated.getCount() > 0;
    }

    /** @return what stopped the listener, if it stopped because of an error (401, 403, unknown agent…) */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Waits for the listener to stop (closed, delivery limit reached, or failed).
     *
     * @param timeout the longest to wait
     * @return true if it stopped, false if the timeout elapsed first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops reading, interrupts a running handler and waits briefly for both threads. */
    @Override
    public void close() {
        stop();
        worker.interrupt();
        try {
            worker.join(5000);
            reader.join(5000);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Takes no further delivery (REQ-LISTEN-007); the handler in hand goes on and sends its result.
     * Returns at once: safe to call from a signal handler.
     */
    void stopTaking() {
        stop();
    }

    /** Ends the listener now: the handler in hand is interrupted and nothing it returns is sent. */
    void abandon() {
        abandoned = true;
        stop();
        worker.interrupt();
        terminated.countDown();
    }

    private void stop() {
        stopping = true;
        feed.stop();
        reader.interrupt();
    }

    private void readLoop() {
        try {
            feed.run();
        } catch (CancellationException closing) {
            // interrupted by close()
        } catch (RuntimeException fatal) {
            if (!stopping) {
                LOG.log(Level.WARNING, "listener for {0} stopped: {1}", address, fatal.getMessage());
                failure = fatal;
                stop();
                worker.interrupt();
            }
        }
    }

    private void workLoop() {
        try {
            while (!stopping) {
                JsonNode delivery = queue.poll(200, TimeUnit.MILLISECONDS);
                if (delivery != null && !stopping && processor.process(delivery, () -> !abandoned)) {
                    long count = handled.incrementAndGet();
                    if (options.maxDeliveries() > 0 && count >= options.maxDeliveries()) {
                        stop();
                    }
                }
            }
        } catch (InterruptedException | CancellationException interrupted) {
            // close() or a fatal reader error
        } catch (RuntimeException | Error unexpected) {
            // a handler's Error (or an SDK bug) ends the loop; the delivery's lease simply expires
            failure = unexpected;
            stop();
        } finally {
            terminated.countDown();
        }
    }
}
