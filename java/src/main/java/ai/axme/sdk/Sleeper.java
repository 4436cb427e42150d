package ai.axme.sdk;

import java.time.Duration;
import java.util.concurrent.CancellationException;

/** Interruptible sleeping: an interrupt is a cancellation, and the interrupt flag is kept. */
final class Sleeper {
    private Sleeper() {
    }

    static void sleep(Duration delay, String what) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while " + what);
        }
    }
}
