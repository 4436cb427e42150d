package ai.axme.sdk;

import ai.axme.sdk.generated.CreateIntentRequest;
import ai.axme.sdk.generated.Intent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The asynchronous face of an {@link AxmeClient}, from {@link AxmeClient#async()}: the same operations
 * under the same names, each returning a {@link CompletableFuture}. It runs the blocking call on the
 * client's daemon threads and shares its connections and settings (including a
 * {@link AxmeClient#withOptions(RequestOptions) view's} options). Cancelling a future interrupts its
 * call: the request is aborted and never retried, and the intent is never changed.
 *
 * <pre>{@code
 * CompletableFuture<Intent> done = client.async().waitFor(id, Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>The operations are generated from the blocking ones ({@code AxmeAsyncOperations}, written by
 * {@code java/tools/gen_async_face.py}); this class adds the helpers that are not operations.
 */
public final class AxmeAsyncClient extends AxmeAsyncOperations {
    AxmeAsyncClient(AxmeClient client, AsyncRunner runner) {
        super(client, runner);
    }

    /** @return the blocking client whose calls this face runs */
    public AxmeClient sync() {
        return client;
    }

    /**
     * @param request the intent
     * @return {@link AxmeClient#sendIntent(CreateIntentRequest)}
     */
    public CompletableFuture<String> sendIntent(CreateIntentRequest request) {
        return run(() -> client.sendIntent(request));
    }

    /**
     * @param intentId the intent
     * @param timeout the longest to wait
     * @return {@link AxmeClient#waitFor(String, Duration)}; cancelling it never cancels the intent
     */
    public CompletableFuture<Intent> waitFor(String intentId, Duration timeout) {
        return run(() -> client.waitFor(intentId, timeout));
    }
}
