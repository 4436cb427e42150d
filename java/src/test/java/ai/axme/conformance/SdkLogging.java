package ai.axme.conformance;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * new_client log_level "debug": the SDK's System.Logger "ai.axme.sdk" (java.util.logging
 * backend) at every level, to stderr. Process-wide, as logging is in Java.
 */
final class SdkLogging {
    // Held strongly: java.util.logging keeps only weak references to configured loggers.
    private static final Logger SDK = Logger.getLogger("ai.axme.sdk");
    private static boolean enabled;

    private SdkLogging() {
    }

    static synchronized void debugToStderr() {
        if (enabled) {
            return;
        }
        ConsoleHandler stderr = new ConsoleHandler(); // writes to System.err
        stderr.setLevel(Level.ALL);
        SDK.addHandler(stderr);
        SDK.setUseParentHandlers(false); // no second copy through the root handler
        SDK.setLevel(Level.ALL);
        enabled = true;
    }
}
