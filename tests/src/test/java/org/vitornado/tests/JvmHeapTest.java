package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;

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
        CliTest.Run r = CliTest.launcher(Map.of("VITORNADO_JAVA_OPTS", "-Xmx300m -XX:MaxDirectMemorySize=2g"), "bench", "--model",
                "vit_base_patch16_224", "--backend", "jvm", "--batch", "1", "--iterations", "1", "--warmup", "0", "--no-peak");
        String stderr = r.err();
        List<String> ours = stderr.lines().filter(l -> l.startsWith("vitornado")).toList();
        assertEquals(2, r.code(), stderr);
        assertEquals(1, ours.size(), stderr);
        assertTrue(ours.get(0).contains("packed weights need") && ours.get(0).contains("-Xmx"), stderr);
        assertFalse(stderr.contains("OutOfMemoryError") || stderr.contains("\tat "), stderr);
    }
}
