package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Handles one delivery the way every SDK does: ack it, renew the lease while the handler runs,
 * then resume with the handler's result or fail the intent with its error. A crash (or an
 * {@link AbandonDeliveryException}) leaves the lease to expire so the server redelivers.
 */
final class DeliveryProcessor {
    private static final System.Logger LOG = System.getLogger("ai.axme.sdk");
    static final Duration DEFAULT_RENEW = Duration.ofSeconds(20);
    static final Duration MIN_RENEW = Duration.ofMillis(500);

    private final AgentWrites writes;
    private final DeliveryHandler handler;
    private final ScheduledExecutorService scheduler;
    private final ObjectMapper mapper;

    DeliveryProcessor(AgentWrites writes, DeliveryHandler handler, ScheduledExecutorService scheduler,
            ObjectMapper mapper) {
        this.writes = writes;
        this.handler = handler;
        this.scheduler = scheduler;
        this.mapper = mapper;
    }

    /** @return true when the delivery was acked and handed to the handler (it counts as handled) */
    boolean process(JsonNode delivery) {
        return process(delivery, () -> true);
    }

    /** @param mayWrite false once the delivery is abandoned (runAgent's grace is over): no write is sent */
    boolean process(JsonNode delivery, BooleanSupplier mayWrite) {
        String intentId = delivery.path("intent_id").asText();
        String deliveryId = delivery.path("delivery_id").asText();
        ObjectNode acked;
        try {
            acked = acknowledge(delivery);
        } catch (ConflictException notOurs) {
            LOG.log(Level.INFO, "skipping delivery {0} of intent {1}: {2}", deliveryId, intentId, notOurs.code());
            return false;
        } catch (AxmeApiException | AxmeConnectionException ackFailed) {
            LOG.log(Level.WARNING, "ack of delivery {0} failed ({1}); it will be redelivered", deliveryId,
                    ackFailed.getMessage());
            return false;
        }
        handleAcked(acked, mayWrite);
        return true;
    }

    /** Acks the delivery; returns it with the lease the ack granted (the push receiver maps the errors). */
    ObjectNode acknowledge(JsonNode delivery) {
        ObjectNode acked = delivery.deepCopy();
        RawResponse ack = writes.ack(delivery.path("intent_id").asText(), delivery.path("delivery_id").asText());
        JsonNode lease = ack.body().get("lease_expires_at");
        if (lease != null && lease.isTextual()) {
            acked.set("lease_expires_at", lease);
        }
        return acked;
    }

    /** Runs the handler for an acked delivery with lease renewal, then resumes or fails the intent. */
    void handleAcked(ObjectNode acked) {
        handleAcked(acked, () -> true);
    }

    private void handleAcked(ObjectNode acked, BooleanSupplier mayWrite) {
        String intentId = acked.path("intent_id").asText();
        String deliveryId = acked.path("delivery_id").asText();
        Duration every = renewalInterval(acked.path("lease_expires_at").asText(null), Instant.now());
        ScheduledFuture<?> renewal = scheduler.scheduleAtFixedRate(
                () -> renew(intentId, deliveryId), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        try {
            runHandler(new DeliveryContext(acked, mapper, writes), intentId, deliveryId, mayWrite);
        } finally {
            renewal.cancel(false);
        }
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** Renew at a third of the remaining lease, so two renewals can fail before it lapses. */
    static Duration renewalInterval(String leaseExpiresAt, Instant now) {
        if (leaseExpiresAt == null) {
            return DEFAULT_RENEW;
        }
        try {
            Duration remaining = Duration.between(now, OffsetDateTime.parse(leaseExpiresAt).toInstant());
            Duration third = remaining.dividedBy(3);
            return third.compareTo(MIN_RENEW) < 0 ? MIN_RENEW : third;
        } catch (DateTimeParseException unparseable) {
            return DEFAULT_RENEW;
        }
    }

    private void runHandler(DeliveryContext context, String intentId, String deliveryId, BooleanSupplier mayWrite) {
        Object result;
        try {
            result = handler.handle(context);
        } catch (AbandonDeliveryException abandoned) {
            LOG.log(Level.INFO, "delivery {0} abandoned by the handler: {1}", deliveryId, abandoned.getMessage());
            return;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt(); // listener closing: leave the lease to expire
            return;
        } catch (Exception failure) {
            if (!mayWrite.getAsBoolean()) {
                return;
            }
            String message = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
            sendFailure(intentId, deliveryId, WireBodies.error(WireBodies.DEFAULT_ERROR_CODE, message, null));
            return;
        }
        if (!mayWrite.getAsBoolean()) {
            LOG.log(Level.INFO, "delivery {0} abandoned after the shutdown grace; its lease expires", deliveryId);
            return;
        }
        try {
            writes.complete(intentId, deliveryId, result);
        } catch (AxmeApiException | AxmeConnectionException writeFailed) {
            logWriteFailure("resume", deliveryId, intentId, writeFailed);
        }
    }

    private void sendFailure(String intentId, String deliveryId, Map<String, ?> error) {
        try {
            writes.fail(intentId, deliveryId, error);
        } catch (AxmeApiException | AxmeConnectionException writeFailed) {
            logWriteFailure("fail", deliveryId, intentId, writeFailed);
        }
    }

    private void renew(String intentId, String deliveryId) {
        try {
            writes.ack(intentId, deliveryId); // a re-ack renews the lease without an event (REQ-ACK-002)
        } catch (RuntimeException renewalFailed) {
            logWriteFailure("lease renewal", deliveryId, intentId, renewalFailed);
        }
    }

    private static void logWriteFailure(String what, String deliveryId, String intentId, RuntimeException e) {
        LOG.log(Level.WARNING, "{0} for delivery {1} of intent {2} failed: {3}", what, deliveryId, intentId,
                e.getMessage());
    }
}
