package ai.axme.sdk;

/**
 * One dispatched Server-Sent Event.
 *
 * @param id the last event id at dispatch time (sticky across events), null if never set
 * @param event the event type, {@code message} when the frame named none
 * @param data the data lines joined with LF
 */
record SseEvent(String id, String event, String data) {
}
