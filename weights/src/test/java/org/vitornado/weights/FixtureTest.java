package org.vitornado.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** The real checkpoint in test resources: a timm ViT with random weights (see NOTICE.md next to it). */
class FixtureTest {

    static Path fixture() throws URISyntaxException {
        return Path.of(FixtureTest.class.getResource("/vit_token.safetensors").toURI());
    }

    @Test
    void fixtureIsTheRecordedFile() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(fixture()));
        assertEquals("6b605bee557df5833e29c25731760d6067b6dff61dbba6c60865e8170e3b9af8", HexFormat.of().formatHex(digest));
    }

    @Test
    void namesShapesAndMetadata() throws IOException, URISyntaxException {
        try (SafetensorsFile f = SafetensorsFile.open(fixture())) {
            assertEquals(44, f.size());
            assertEquals("cls_token", f.names().get(0));
            assertEquals("head.bias", f.names().get(43));
            assertEquals("vit_token", f.metadata().get("fixture"));
            assertEquals("state_dict", f.metadata().get("content"));
            f.require("cls_token", 1, 1, 96);
            f.require("pos_embed", 1, 17, 96);
            f.require("patch_embed.proj.weight", 96, 3, 16, 16);
            f.require("blocks.0.attn.qkv.weight", 288, 96);
            f.require("blocks.2.mlp.fc2.weight", 96, 384);
            f.require("norm.bias", 96);
            f.require("head.weight", 10, 96);
            TensorInfo qkv = f.info("blocks.0.attn.qkv.weight");
            assertEquals(Dtype.F32, qkv.dtype());
            assertEquals(8 + 3960 + 302976, qkv.offset());
            assertEquals(288 * 96 * 4, qkv.length());
        }
    }

    @Test
    void everyTensorReadsEveryWay() throws IOException, URISyntaxException, NoSuchAlgorithmException {
        try (SafetensorsFile f = SafetensorsFile.open(fixture()); Arena arena = Arena.ofConfined()) {
            long total = 0;
            for (String name : f.names()) {
                float[] values = f.readFloats(name);
                total += values.length;
                int nonZero = 0;
                for (float v : values) {
                    assertTrue(Float.isFinite(v), name);
                    nonZero += v != 0 ? 1 : 0;
                }
                assertTrue(nonZero > values.length / 2, name + " is random, not zeros");
                MemorySegment dst = arena.allocate(values.length * 4L);
                f.readFloats(name, dst);
                assertArrayEquals(values, dst.toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN)), name);
                MemorySegment halfs = arena.allocate(values.length * 2L);
                f.readHalfs(name, halfs);
                short[] h = halfs.toArray(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN));
                for (int i = 0; i < h.length; i++) {
                    assertEquals(Float.floatToFloat16(values[i]), h[i], name + "[" + i + "]");
                }
            }
            assertEquals(412_234, total, "num_parameters recorded with the fixture");
            float[] cls = f.readFloats("cls_token");
            assertEquals(0.06833168f, cls[0]);
            assertEquals(-0.43274793f, cls[1]);
            assertEquals(0.10333476f, f.readFloats("head.bias")[9]);
        }
    }
}
