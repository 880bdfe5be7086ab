package org.vitornado.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    /** A file with the given header JSON and data bytes. */
    Path file(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void writerAndReaderRoundTrip() throws IOException {
        Path p = dir.resolve("w.safetensors");
        new SafetensorsWriter().add("a", new float[] {1, 2, 3, 4, 5, 6}, 2, 3).add("scalar", new float[] {7})
                .add("empty", new float[0], 0, 4).metadata("format", "pt").write(p, false);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(java.util.List.of("a", "scalar", "empty"), f.names());
            assertArrayEquals(new long[] {2, 3}, f.info("a").shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.readFloats("a"));
            assertArrayEquals(new float[] {7}, f.readFloats("scalar"));
            assertArrayEquals(new long[0], f.info("scalar").shape());
            assertEquals(0, f.readFloats("empty").length);
            assertEquals("pt", f.metadata().get("format"));
            MemorySegment dst = Arena.ofAuto().allocate(6 * 4);
            f.readFloats("a", dst);
            assertEquals(6f, dst.getAtIndex(ValueLayout.JAVA_FLOAT, 5));
            MemorySegment halfs = Arena.ofAuto().allocate(6 * 2);
            f.readHalfs("a", halfs);
            assertEquals(5f, Float.float16ToFloat(halfs.getAtIndex(ValueLayout.JAVA_SHORT, 4)));
        }
        IOException again = assertThrows(FileAlreadyExistsException.class, () -> new SafetensorsWriter().add("x", new float[] {1}).write(p, false));
        assertTrue(again.getMessage().contains("w.safetensors"));
        new SafetensorsWriter().add("x", new float[] {9}).write(p, true);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(new float[] {9}, f.readFloats("x"));
        }
    }

    @Test
    void convertsHalfBfloatDoubleAndLongs() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 * 2 + 2 * 2 + 2 * 8 + 8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f));
        data.putShort((short) (Float.floatToIntBits(3.25f) >>> 16)).putShort((short) (Float.floatToIntBits(-0.5f) >>> 16));
        data.putDouble(0.1).putDouble(-7);
        data.putLong(42);
        Path p = file("mixed.safetensors", """
                {"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},
                 "d":{"dtype":"F64","shape":[2],"data_offsets":[8,24]},"n":{"dtype":"I64","shape":[],"data_offsets":[24,32]}}""",
                data.array());
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(new float[] {1.5f, -2f}, f.readFloats("h"));
            assertArrayEquals(new float[] {3.25f, -0.5f}, f.readFloats("b"));
            assertArrayEquals(new float[] {0.1f, -7f}, f.readFloats("d"));
            assertArrayEquals(new long[] {42}, f.readLongs("n"));
            SafetensorsException notFloat = assertThrows(SafetensorsException.class, () -> f.readFloats("n"));
            assertTrue(notFloat.getMessage().contains("'n'") && notFloat.getMessage().contains("I64"));
        }
    }

    @Test
    void readsARealCheckpoint() throws IOException, URISyntaxException {
        Path p = Path.of(getClass().getResource("/vit_token.safetensors").toURI());
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(44, f.names().size());
            assertArrayEquals(new long[] {288, 96}, f.require("blocks.0.attn.qkv.weight", 288, 96).shape());
            long total = 0;
            for (String n : f.names()) {
                total += f.readFloats(n).length;
            }
            assertEquals(412_234, total); // num_parameters in the fixture's description
        }
    }

    @Test
    void missingAndMisShapedTensorsAreNamed() throws IOException {
        Path p = dir.resolve("m.safetensors");
        new SafetensorsWriter().add("blocks.0.attn.qkv.weight", new float[6], 2, 3).write(p, false);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            SafetensorsException shape = assertThrows(SafetensorsException.class, () -> f.require("blocks.0.attn.qkv.weight", 3, 2));
            assertTrue(shape.getMessage().contains("m.safetensors") && shape.getMessage().contains("[2, 3], expected [3, 2]"), shape.getMessage());
            SafetensorsException missing = assertThrows(SafetensorsException.class, () -> f.info("blocks.1.attn.qkv.weight"));
            assertTrue(missing.getMessage().contains("'blocks.1.attn.qkv.weight' not found")
                    && missing.getMessage().contains("closest: blocks.0.attn.qkv.weight"), missing.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not a JSON object | [1,2] | must be a JSON object",
            "invalid JSON | {\"a\": | not valid JSON",
            "entry not an object | {\"a\": 3} | entry must be an object",
            "unknown dtype | {\"a\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[0,4]}} | unknown dtype 'F12'",
            "missing dtype | {\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}} | dtype",
            "negative dim | {\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}} | not a non-negative 64-bit integer",
            "fractional dim | {\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}} | not a non-negative 64-bit integer",
            "huge dim | {\"a\":{\"dtype\":\"F32\",\"shape\":[1e30],\"data_offsets\":[0,4]}} | not a non-negative 64-bit integer",
            "shape overflow | {\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}} | more elements than fit",
            "offsets past end | {\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}} | past the end of the data",
            "reversed offsets | {\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}} | reversed",
            "three offsets | {\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}} | must have 2 integers",
            "shape and offsets disagree | {\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}} | needs 8 bytes",
            "overlap | {\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}} | overlaps",
            "duplicate name | {\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}} | defined twice",
            "metadata not strings | {\"__metadata__\":{\"k\":1}} | __metadata__",
            "deep nesting | {\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}} | not valid JSON"})
    void hostileHeadersFailWithTheFileNamed(String what, String header, String expected) throws IOException {
        Path p = file("hostile.safetensors", header, floats(1, 2));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p), what);
        assertTrue(e.getMessage().contains("hostile.safetensors"), what + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(expected.trim()), what + ": " + e.getMessage());
    }

    @Test
    void truncatedAndAbsurdFilesFailFast() throws IOException {
        Path empty = dir.resolve("empty.safetensors");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(empty)).getMessage().contains("too short"));
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
        assertTrue(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(huge)).getMessage().contains("out of range"));
        Path past = dir.resolve("past.safetensors");
        Files.write(past, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertTrue(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(past)).getMessage().contains("past the end of the file"));
        Path zero = dir.resolve("zero.safetensors");
        Files.write(zero, new byte[8]);
        assertTrue(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(zero)).getMessage().contains("out of range"));
        Path badUtf8 = file("utf8.safetensors", "{}", new byte[0]);
        byte[] bytes = Files.readAllBytes(badUtf8);
        bytes[8] = (byte) 0xC3;
        Files.write(badUtf8, bytes);
        assertTrue(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(badUtf8)).getMessage().contains("UTF-8"));
        assertTrue(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(dir)).getMessage().contains("directory"));
        assertTrue(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(dir.resolve("nope"))).getMessage().contains("no such file"));
    }

    @Test
    void randomMutationsNeverEscapeAsAnythingButSafetensorsException() throws IOException {
        Path good = dir.resolve("good.safetensors");
        new SafetensorsWriter().add("a", new float[] {1, 2, 3, 4}, 2, 2).add("b", new float[] {5, 6}, 2).metadata("k", "v").write(good, false);
        byte[] original = Files.readAllBytes(good);
        Random r = new Random(1234);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 500; i++) {
                byte[] mutated = original.clone();
                int edits = 1 + r.nextInt(4);
                for (int e = 0; e < edits; e++) {
                    mutated[r.nextInt(mutated.length)] = (byte) r.nextInt(256);
                }
                if (r.nextInt(5) == 0) {
                    mutated = java.util.Arrays.copyOf(mutated, r.nextInt(mutated.length));
                }
                Path p = dir.resolve("fuzz" + i + ".safetensors");
                Files.write(p, mutated);
                try (SafetensorsFile f = SafetensorsFile.open(p)) {
                    for (String n : f.names()) {
                        if (f.info(n).dtype().isFloat()) {
                            f.readFloats(n);
                        }
                    }
                } catch (SafetensorsException expected) {
                    assertTrue(expected.getMessage().contains(p.getFileName().toString()), expected.getMessage());
                }
            }
        });
    }
}
