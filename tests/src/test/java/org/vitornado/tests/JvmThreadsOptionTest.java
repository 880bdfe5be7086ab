package org.vitornado.tests;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code -Dvitornado.jvm.threads} is read once per process, when the JVM backend starts its threads: a bad value is
 * one line naming the property, exit code 2, not an {@code ExceptionInInitializerError}. Runs {@code bin/vitornado}.
 */
@Tag("jvm")
class JvmThreadsOptionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"abc, must be an integer", "0, between 1 and 1024", "100000, between 1 and 1024"})
    void aBadThreadCountIsOneLine(String value, String mention) throws IOException, InterruptedException {
        CliTest.Run r = CliTest.launcher(Map.of("VITORNADO_JAVA_OPTS", "-Dvitornado.jvm.threads=" + value), "bench", "--model",
                "vit_tiny_patch16_224", "--backend", "jvm", "--batch", "1", "--iterations", "1", "--warmup", "0", "--no-peak");
        CliFailuresTest.failsInOneLine(r, "bench", "-Dvitornado.jvm.threads", mention);
    }
}
