package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.AgentDeletedResponse;
import ai.axme.sdk.generated.AgentRegisteredResponse;
import ai.axme.sdk.generated.CreateKeyRequest;
import ai.axme.sdk.generated.HumanIdentity;
import ai.axme.sdk.generated.KeyCreatedResponse;
import ai.axme.sdk.generated.KeyKind;
import ai.axme.sdk.generated.KeyListResponse;
import ai.axme.sdk.generated.RegisterAgentRequest;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** deleteAgent, listAgentKeys, listMyTasks and the workspace calls against the reference server. */
class DirectoryMethodsTest {
    private static final ReferenceServer server = ReferenceServer.shared();

    private static AxmeClient client(String key) {
        return AxmeClient.builder().baseUrl(server.baseUrl()).apiKey(key).retryBaseDelay(Duration.ofMillis(20)).build();
    }

    @Test
    void deleteAgentRevokesItsKeysAndListAgentKeysListsThem() throws Exception {
        try (AxmeClient admin = client(server.newNamespaceAdminKey())) {
            AgentRegisteredResponse registered = admin.registerAgent(new RegisterAgentRequest().address("gone"));
            String address = registered.getAgent().getAddress();
            KeyCreatedResponse second = admin.createAgentKey(address);
            KeyListResponse keys = admin.listAgentKeys(address);
            assertEquals(2, keys.getKeys().size());
            assertEquals(second.getKey().getKeyId(), keys.getKeys().get(1).getKeyId());
            AgentDeletedResponse removed = admin.async().deleteAgent(address).get();
            assertEquals(address, removed.getAgent().getAddress());
            assertEquals(keys.getKeys().stream().map(k -> k.getKeyId()).collect(Collectors.toSet()),
                    Set.copyOf(removed.getRevokedKeyIds()));
            try (AxmeClient agent = client(registered.getApiKey())) {
                assertThrows(AuthenticationException.class, () -> agent.getAgent(address));
            }
            assertThrows(NotFoundException.class, () -> admin.deleteAgent(address));
        }
    }

    @Test
    void listMyTasksIsAHumanInboxAndWorkspacesNeedAnOperatorKey() throws Exception {
        try (AxmeClient admin = client(server.newNamespaceAdminKey())) {
            KeyCreatedResponse human = admin.createKey(new CreateKeyRequest().kind(KeyKind.HUMAN).name("ann")
                    .human(new HumanIdentity().id("ann").displayName("Ann")));
            try (AxmeClient ann = client(human.getApiKey())) {
                assertTrue(ann.listMyTasks(QueryParams.empty()).getTasks().isEmpty());
            }
            assertThrows(PermissionDeniedException.class, () -> admin.listMyTasks(QueryParams.empty()));
            assertThrows(PermissionDeniedException.class, admin::listWorkspaces);
            assertThrows(PermissionDeniedException.class, () -> admin.createWorkspace("javaorg", "production"));
        }
    }
}
