package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
        ProcessBuilder pb = new ProcessBuilder(ProjectFiles.root().resolve("bin").resolve("vitornado").toString(), "bench", "--model",
                "vit_tiny_patch16_224", "--backend", "jvm", "--batch", "1", "--iterations", "1", "--warmup", "0", "--no-peak");
        pb.environment().put("VITORNADO_JAVA_OPTS", "-Dvitornado.jvm.threads=" + value);
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "bin/vitornado did not finish");
        CliFailuresTest.failsInOneLine(new CliTest.Run(p.exitValue(), out, err.join()), "bench", "-Dvitornado.jvm.threads", mention);
    }
}
