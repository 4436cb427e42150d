package ai.axme.sdk;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository root is (Surefire passes it; the working directory is the fallback). */
final class TestPaths {
    private TestPaths() {
    }

    static Path repoRoot() {
        String configured = System.getProperty("axme.repoRoot");
        Path root = configured != null ? Path.of(configured) : Path.of("..");
        root = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("conformance"))) {
            throw new IllegalStateException("repository root not found at " + root);
        }
        return root;
    }
}
