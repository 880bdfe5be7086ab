package org.vitornado.tests;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The reference fixtures bundled with the tests (see src/test/resources/fixtures/NOTICE.md). */
final class Fixtures {

    private Fixtures() {
    }

    /** {@code DIR/NAME} of a bundled fixture. */
    static Path prefix(String name) {
        try {
            Path json = Path.of(Fixtures.class.getResource("/fixtures/" + name + ".json").toURI());
            return json.getParent().resolve(name);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture " + name + " is not on the test class path", e);
        }
    }
}
