package org.vitornado.tests;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the project the tests use, found from the test classes' location, so tests pass from any working directory. */
final class ProjectFiles {

    private ProjectFiles() {
    }

    /** The repository root: the nearest folder above the test classes that holds {@code models/fashion-vit}. */
    static Path root() {
        try {
            Path p = Path.of(ProjectFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
            for (; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("models").resolve("fashion-vit"))) {
                    return p;
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("the project root (with models/fashion-vit) is not above the test classes");
    }

    /** The bundled demo model. */
    static Path demoModel() {
        return root().resolve("models").resolve("fashion-vit");
    }

    /** The bundled demo detector. */
    static Path demoDetector() {
        return root().resolve("models").resolve("fashion-detector");
    }
}
