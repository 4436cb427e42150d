package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.CreateIntentRequest;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous face is generated from the blocking operations ({@code make -C java gen} writes
 * {@code AxmeAsyncOperations.java}); this fails when the generated file was not refreshed after an
 * operation was added to {@link AxmeOperations}, or a helper of {@link AxmeClient} lost its twin.
 */
class AsyncFaceParityTest {
    @Test
    void everyBlockingOperationHasAnAsyncTwinWithTheSameNameAndParameters() throws Exception {
        List<Method> blocking = new ArrayList<>(List.of(AxmeOperations.class.getDeclaredMethods()));
        blocking.add(AxmeClient.class.getMethod("sendIntent", CreateIntentRequest.class));
        blocking.add(AxmeClient.class.getMethod("waitFor", String.class, Duration.class));
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Method method : blocking) {
            if (!Modifier.isPublic(method.getModifiers())) {
                continue;
            }
            checked++;
            try {
                Method twin = AxmeAsyncClient.class.getMethod(method.getName(), method.getParameterTypes());
                assertEquals(CompletableFuture.class, twin.getReturnType(), twin.toString());
            } catch (NoSuchMethodException absent) {
                missing.add(method.getName() + Arrays.toString(method.getParameterTypes()));
            }
        }
        assertTrue(checked > 30, "found only " + checked + " blocking operations");
        assertTrue(missing.isEmpty(), "no twin on AxmeAsyncClient for " + missing);
    }
}
