package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The JVM backend packs its linear layers' weights onto the Java heap once per plan: a heap too small for them is one
 * line that says what to raise, with exit code 2, not an {@code OutOfMemoryError}. Runs {@code bin/vitornado} with a
 * 300 MB heap (ViT-B's packed weights are 344 MB) and room off the heap.
 */
@Tag("jvm")
class JvmHeapTest {

    @Test
    void aHeapTooSmallForThePackedWeightsIsOneLine() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProjectFiles.root().resolve("bin").resolve("vitornado").toString(), "bench", "--model",
                "vit_base_patch16_224", "--backend", "jvm", "--batch", "1", "--iterations", "1", "--warmup", "0", "--no-peak"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("VITORNADO_JAVA_OPTS", "-Xmx300m -XX:MaxDirectMemorySize=2g");
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "bin/vitornado did not finish");
        String stderr = err.join();
        List<String> ours = stderr.lines().filter(l -> l.startsWith("vitornado")).toList();
        assertEquals(2, p.exitValue(), stderr);
        assertEquals(1, ours.size(), stderr);
        assertTrue(ours.get(0).contains("packed weights need") && ours.get(0).contains("-Xmx"), stderr);
        assertFalse(stderr.contains("OutOfMemoryError") || stderr.contains("\tat "), stderr);
    }
}
