package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code verify} on every bundled fixture passes, on whichever backend this process runs, and says where it ran. */
class VerifyCommandTest {

    /** Every {@code NAME.json} among the bundled fixtures. */
    static List<String> bundled() throws IOException {
        Path dir = Fixtures.prefix("vit_token").getParent();
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).map(n -> n.substring(0, n.length() - 5)).sorted()
                    .toList();
        }
    }

    @ParameterizedTest
    @MethodSource("bundled")
    void verifyPasses(String name) {
        CliTest.Run r = CliTest.cli("verify", "--fixture", Fixtures.prefix(name).toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("PASS") && !r.out().contains("FAIL") && !r.out().contains("MISSING"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("running on ")), "no line saying where it ran:\n" + r.out());
    }

    @org.junit.jupiter.api.Test
    void everyUpstreamFixtureIsBundled() throws IOException {
        assertEquals(List.of("depict_ca", "depict_sa", "depict_segmenter", "detr_bottleneck", "detr_r50", "maskrcnn_batch2", "maskrcnn_nodet",
                "samvit_window", "segformer_tiny", "vit_avg_dynamic", "vit_hybrid", "vit_hybrid_dynamic", "vit_token", "vitdet_maskrcnn", "vitdet_sfp"),
                bundled());
    }
}
