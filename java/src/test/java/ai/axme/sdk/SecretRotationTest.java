package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.CallbackSecretRotatedResponse;
import ai.axme.sdk.generated.DeliveryMode;
import ai.axme.sdk.generated.LinkSecretRotatedResponse;
import ai.axme.sdk.generated.RegisterAgentRequest;
import ai.axme.sdk.generated.RotateCallbackSecretRequest;
import ai.axme.sdk.generated.RotateSecretRequest;
import ai.axme.sdk.generated.WebhookSecretRotatedResponse;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** rotateCallbackSecret, rotateWebhookSecret, rotateLinkSecret against the reference server (REQ-SECRET-002/004/006..008). */
class SecretRotationTest {
    private static final Pattern GENERATED = Pattern.compile("whsec_[0-9A-Za-z]{32}");
    private static final ReferenceServer server = ReferenceServer.shared();

    private static AxmeClient client(String key) {
        return AxmeClient.builder().baseUrl(server.baseUrl()).apiKey(key).retryBaseDelay(Duration.ofMillis(20)).build();
    }

    @Test
    void rotateCallbackSecretShowsTheNewSecretOnce() throws Exception {
        try (AxmeClient admin = client(server.newNamespaceAdminKey())) {
            String address = admin.registerAgent(new RegisterAgentRequest().address("hook")
                    .deliveryMode(DeliveryMode.HTTP).callbackUrl(URI.create("http://127.0.0.1:9/axme"))).getAgent().getAddress();
            AxmeClient once = admin.withOptions(RequestOptions.NONE.withIdempotencyKey(UUID.randomUUID().toString()));
            CallbackSecretRotatedResponse rotated = once.rotateCallbackSecret(address, null);
            assertTrue(GENERATED.matcher(rotated.getCallbackSecret()).matches(), rotated.getCallbackSecret());
            assertEquals(address, rotated.getAgent().getAddress());
            assertNotNull(rotated.getPreviousExpiresAt());
            assertFalse(admin.withRawResponse().getAgent(address).body().toString().contains("callback_secret"));
            ConflictException replay = assertThrows(ConflictException.class, () -> once.rotateCallbackSecret(address, null));
            assertTrue(replay.body().contains("secret_not_kept"), replay.body());

            String chosen = "my-own-secret-0123456789";
            CallbackSecretRotatedResponse again = admin.async().rotateCallbackSecret(address,
                    new RotateCallbackSecretRequest().callbackSecret(chosen).overlapSeconds(0)).get();
            assertEquals(chosen, again.getCallbackSecret());
            assertNull(again.getPreviousExpiresAt());
            String polling = admin.registerAgent(new RegisterAgentRequest().address("polling")).getAgent().getAddress();
            ConflictException wrongMode = assertThrows(ConflictException.class, () -> admin.rotateCallbackSecret(polling, null));
            assertEquals("invalid_transition", wrongMode.code());
        }
    }

    @Test
    void webhookSecretNeedsAnAdminAndLinkSecretTheOperator() throws Exception {
        try (AxmeClient admin = client(server.newNamespaceAdminKey()); AxmeClient operator = client(server.operatorKey())) {
            WebhookSecretRotatedResponse hook = admin.rotateWebhookSecret(new RotateSecretRequest().overlapSeconds(0));
            assertTrue(GENERATED.matcher(hook.getWebhookSecret()).matches(), hook.getWebhookSecret());
            assertNull(hook.getPreviousExpiresAt());
            WebhookSecretRotatedResponse overlapped = admin.async().rotateWebhookSecret(new RotateSecretRequest().overlapSeconds(60)).get();
            assertNotEquals(hook.getWebhookSecret(), overlapped.getWebhookSecret());
            assertNotNull(overlapped.getPreviousExpiresAt());
            String agentKey = admin.registerAgent(new RegisterAgentRequest().address("not-admin")).getApiKey();
            try (AxmeClient agent = client(agentKey)) {
                assertThrows(PermissionDeniedException.class, () -> agent.rotateWebhookSecret(null));
            }
            assertThrows(ValidationException.class, () -> admin.rotateWebhookSecret(new RotateSecretRequest().overlapSeconds(604801)));

            LinkSecretRotatedResponse link = operator.rotateLinkSecret(new RotateSecretRequest().overlapSeconds(3600));
            assertNotNull(link.getRotatedAt());
            assertNotNull(link.getPreviousExpiresAt());
            ExecutionException denied = assertThrows(ExecutionException.class, () -> admin.async().rotateLinkSecret(null).get());
            PermissionDeniedException cause = (PermissionDeniedException) denied.getCause();
            assertTrue(cause.body().contains("operator_required"), cause.body());
        }
    }
}
