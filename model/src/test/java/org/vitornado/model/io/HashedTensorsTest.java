package org.vitornado.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The {@code vitornado-hash-v1} weights agree bit for bit with the rule's Python transcription (the fixture
 * generators'), whose values for these three tensors are below as float hex literals.
 */
class HashedTensorsTest {

    @Test
    void valuesMatchThePythonTranscription() {
        assertArrayEquals(new float[] {0x1.ee7fc0p-1f, 0x1.e16dd2p-1f, 0x1.1639b0p+0f, 0x1.d2b034p-1f},
                HashedTensors.values("backbone.net.blocks.0.norm1.weight", new long[] {4}));
        assertArrayEquals(new float[] {0x1.c02c52p-7f, -0x1.9d6b94p-7f, -0x1.8d447ap-12f},
                HashedTensors.values("roi_heads.box_predictor.cls_score.bias", new long[] {3}));
        assertArrayEquals(new float[] {0x1.1d0e58p-2f, 0x1.7ce088p-2f, 0x1.548364p-1f, -0x1.d93330p-2f, -0x1.05bd30p-3f, 0x1.6112c8p-1f},
                HashedTensors.values("backbone.net.patch_embed.proj.weight", new long[] {2, 3, 1, 1}));
    }

    @Test
    void onlyTheManifestsTensorsExist() {
        HashedTensors t = new HashedTensors("test", Map.of("a.weight", new long[] {2, 3}));
        assertEquals(6, t.load("a.weight", 2, 3).getSize());
        assertEquals(0f, t.loadOrZeros("a.bias", 2).get(1));
        org.junit.jupiter.api.Assertions.assertThrows(ModelException.class, () -> t.load("a.weight", 3, 3));
        org.junit.jupiter.api.Assertions.assertThrows(ModelException.class, () -> t.load("b.weight", 3));
    }
}
