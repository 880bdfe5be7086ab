package org.vitornado.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitornado.weights.StBuilder.bf16;
import static org.vitornado.weights.StBuilder.f16;
import static org.vitornado.weights.StBuilder.f32;
import static org.vitornado.weights.StBuilder.f64;
import static org.vitornado.weights.StBuilder.i32;
import static org.vitornado.weights.StBuilder.i64;
import static org.vitornado.weights.StBuilder.i8;
import static org.vitornado.weights.StBuilder.shape;
import static org.vitornado.weights.StBuilder.u16;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid files: every converted dtype through every read method, metadata, scalars, empty tensors, the writer. */
class RoundTripTest {

    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    /** Every float read path of {@code name}, checked against {@code expected} float32 values. */
    static void assertAllFloatReads(SafetensorsFile f, String name, float[] expected) throws IOException {
        assertArrayEquals(expected, f.readFloats(name), name);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(expected.length * 4L + 8);
            dst.fill((byte) 0x7a);
            f.readFloats(name, dst);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(dst.getAtIndex(LE_FLOAT, i)), name + "[" + i + "]");
            }
            assertEquals((byte) 0x7a, dst.get(ValueLayout.JAVA_BYTE, expected.length * 4L), "wrote past the tensor");
            MemorySegment halfs = arena.allocate(expected.length * 2L + 2);
            halfs.fill((byte) 0x7a);
            f.readHalfs(name, halfs);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Float.floatToFloat16(expected[i]), halfs.getAtIndex(LE_SHORT, i), name + " half[" + i + "]");
            }
            assertEquals((byte) 0x7a, halfs.get(ValueLayout.JAVA_BYTE, expected.length * 2L), "wrote past the tensor");
        }
    }

    @Test
    void writerRoundTripWithMetadataScalarAndEmptyTensor() throws IOException {
        Path p = dir.resolve("w.safetensors");
        float[] a = {1, -2.5f, 3, Float.MIN_VALUE, Float.MAX_VALUE, -0f};
        new SafetensorsWriter().add("a", a, 2, 3).add("scalar", new float[] {7.25f}).add("empty", new float[0], 0, 4)
                .add("nan", new float[] {Float.NaN, Float.POSITIVE_INFINITY}, 2)
                .metadata("format", "pt").metadata(Map.of("ünïcode \"quoted\"", "line\nbreak")).write(p, false);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("a", "scalar", "empty", "nan"), f.names());
            assertEquals(4, f.size());
            assertEquals(Map.of("format", "pt", "ünïcode \"quoted\"", "line\nbreak"), f.metadata());
            assertEquals(p, f.path());
            assertTrue(f.contains("scalar") && !f.contains("__metadata__") && !f.contains("b"));

            TensorInfo info = f.info("a");
            assertEquals(new TensorInfo("a", Dtype.F32, new long[] {2, 3}, info.offset(), 24, 6), info);
            assertEquals(0, info.offset() % 8, "writer pads the header so data starts 8-aligned");
            assertArrayEquals(new long[] {2, 3}, f.require("a", 2, 3).shape());
            assertAllFloatReads(f, "a", a);

            TensorInfo scalar = f.require("scalar");
            assertEquals(0, scalar.rank());
            assertEquals(1, scalar.elementCount());
            assertEquals(4, scalar.length());
            assertAllFloatReads(f, "scalar", new float[] {7.25f});

            TensorInfo empty = f.require("empty", 0, 4);
            assertEquals(0, empty.elementCount());
            assertEquals(0, empty.length());
            assertEquals(0, f.readFloats("empty").length);
            f.readFloats("empty", MemorySegment.NULL); // nothing to write: a zero-length destination is enough
            f.readHalfs("empty", MemorySegment.NULL);

            assertAllFloatReads(f, "nan", new float[] {Float.NaN, Float.POSITIVE_INFINITY});
        }
        byte[] bytes = Files.readAllBytes(p);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        assertEquals(8 + headerLength + (6 + 1 + 0 + 2) * 4, bytes.length, "data is contiguous, no slack");
    }

    @Test
    void f16ConvertsExactlyAndIsCopiedBitForBit() throws IOException {
        // 0, -0, smallest subnormal, largest finite, infinities, NaN, ordinary values
        short[] bits = {0x0000, (short) 0x8000, 0x0001, 0x7bff, 0x7c00, (short) 0xfc00, 0x7e00, 0x3e00, (short) 0xc000, 0x3555};
        float[] expected = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            expected[i] = Float.float16ToFloat(bits[i]);
        }
        assertEquals(5.9604645e-8f, expected[2]);
        assertEquals(65504f, expected[3]);
        Path p = new StBuilder().tensor("h", "F16", shape(2, 5), u16(bits)).write(dir.resolve("f16.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(p); Arena arena = Arena.ofConfined()) {
            assertEquals(Dtype.F16, f.info("h").dtype());
            assertAllFloatReads(f, "h", expected);
            MemorySegment halfs = arena.allocate(bits.length * 2L);
            f.readHalfs("h", halfs);
            assertArrayEquals(bits, halfs.toArray(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN)), "F16 is copied, NaN payload included");
        }
    }

    @Test
    void bf16ConvertsExactly() throws IOException {
        float[] values = {0f, -0f, 1f, -2.5f, 3.140625f, 0x1p100f, Float.NEGATIVE_INFINITY, Float.NaN, 0x1p-130f};
        Path p = new StBuilder().tensor("b", "BF16", shape(values.length), bf16(values)).write(dir.resolve("bf16.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            float[] got = f.readFloats("b");
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.floatToIntBits(values[i]), Float.floatToIntBits(got[i]), "bf16[" + i + "]");
            }
            assertAllFloatReads(f, "b", values);
            try (Arena arena = Arena.ofConfined()) { // 2^100 does not fit in fp16: infinity
                MemorySegment halfs = arena.allocate(values.length * 2L);
                f.readHalfs("b", halfs);
                assertEquals((short) 0x7c00, halfs.getAtIndex(LE_SHORT, 5));
            }
        }
    }

    @Test
    void f64IsRoundedToNearestFloat() throws IOException {
        double[] values = {0.1, -7, 1e300, -1e-300, Math.PI, Double.NaN, 16777217.0};
        float[] expected = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            expected[i] = (float) values[i];
        }
        assertEquals(Float.POSITIVE_INFINITY, expected[2]);
        assertEquals(16777216f, expected[6]);
        Path p = new StBuilder().tensor("d", "F64", shape(values.length, 1), f64(values)).write(dir.resolve("f64.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(56, f.info("d").length());
            assertAllFloatReads(f, "d", expected);
        }
    }

    @Test
    void conversionsCrossChunkBoundaries() throws IOException {
        int n = 3 * 8192 + 5;
        float[] values = new float[n];
        double[] doubles = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = ((i % 256) - 128) * 0.5f; // exact in F16, BF16 and F64
            doubles[i] = values[i];
        }
        Path p = new StBuilder().tensor("h", "F16", shape(n), f16(values)).tensor("b", "BF16", shape(n), bf16(values))
                .tensor("d", "F64", shape(n), f64(doubles)).tensor("f", "F32", shape(n), f32(values)).write(dir.resolve("big.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            for (String name : List.of("h", "b", "d", "f")) {
                assertAllFloatReads(f, name, values);
            }
        }
    }

    @Test
    void integerTensorsReadAsLongs() throws IOException {
        Path p = new StBuilder().tensor("i64", "I64", shape(3), i64(Long.MIN_VALUE, -1, Long.MAX_VALUE))
                .tensor("n", "I64", shape(), i64(42))
                .tensor("i32", "I32", shape(2), i32(Integer.MIN_VALUE, 7))
                .tensor("u32", "U32", shape(2), i32(-1, 7))
                .tensor("i16", "I16", shape(2), u16((short) -2, (short) 300))
                .tensor("u16", "U16", shape(1), u16((short) -1))
                .tensor("i8", "I8", shape(2), i8(-128, 127))
                .tensor("u8", "U8", shape(2), i8(255, 1))
                .tensor("bool", "BOOL", shape(3), i8(0, 1, 2))
                .tensor("u64", "U64", shape(1), i64(-1))
                .write(dir.resolve("ints.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}, f.readLongs("i64"));
            assertArrayEquals(new long[] {42}, f.readLongs("n"));
            assertArrayEquals(new long[] {Integer.MIN_VALUE, 7}, f.readLongs("i32"));
            assertArrayEquals(new long[] {0xFFFF_FFFFL, 7}, f.readLongs("u32"));
            assertArrayEquals(new long[] {-2, 300}, f.readLongs("i16"));
            assertArrayEquals(new long[] {65535}, f.readLongs("u16"));
            assertArrayEquals(new long[] {-128, 127}, f.readLongs("i8"));
            assertArrayEquals(new long[] {255, 1}, f.readLongs("u8"));
            assertArrayEquals(new long[] {0, 1, 1}, f.readLongs("bool"));

            SafetensorsException u64 = assertThrows(SafetensorsException.class, () -> f.readLongs("u64"));
            assertMessage(u64, "ints.safetensors", "'u64'", "U64");
            SafetensorsException notFloat = assertThrows(SafetensorsException.class, () -> f.readFloats("n"));
            assertMessage(notFloat, "ints.safetensors", "'n'", "I64", "not a floating-point tensor");
            assertThrows(SafetensorsException.class, () -> f.readFloats("i32", MemorySegment.ofArray(new float[2])));
            assertThrows(SafetensorsException.class, () -> f.readHalfs("i8", MemorySegment.ofArray(new short[2])));
        }
        Path floats = new StBuilder().tensor("x", "F32", shape(1), f32(1)).write(dir.resolve("floats.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(floats)) {
            assertMessage(assertThrows(SafetensorsException.class, () -> f.readLongs("x")), "floats.safetensors", "'x'", "F32");
        }
    }

    @Test
    void otherDtypesOpenAndReportTheirSizes() throws IOException {
        Path p = new StBuilder().tensor("e4m3", "F8_E4M3", shape(3), new byte[3]).tensor("e5m2", "F8_E5M2", shape(1), new byte[1])
                .write(dir.resolve("f8.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(Dtype.F8_E4M3, f.info("e4m3").dtype());
            assertEquals(3, f.info("e4m3").length());
            assertThrows(SafetensorsException.class, () -> f.readFloats("e4m3"));
        }
        assertEquals(8, Dtype.F64.bytes());
        assertEquals(2, Dtype.BF16.bytes());
        assertEquals(1, Dtype.BOOL.bytes());
        assertEquals(Dtype.BF16, Dtype.fromName("BF16"));
        assertEquals(null, Dtype.fromName("bf16"));
    }

    @Test
    void destinationChecks() throws IOException {
        Path p = dir.resolve("d.safetensors");
        new SafetensorsWriter().add("blocks.0.w", new float[] {1, 2, 3}, 3).write(p, false);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            SafetensorsException small = assertThrows(SafetensorsException.class, () -> f.readFloats("blocks.0.w", MemorySegment.ofArray(new float[2])));
            assertMessage(small, "d.safetensors", "'blocks.0.w'", "3 elements", "holds only 2");
            SafetensorsException smallHalfs = assertThrows(SafetensorsException.class, () -> f.readHalfs("blocks.0.w", MemorySegment.ofArray(new byte[5])));
            assertMessage(smallHalfs, "d.safetensors", "'blocks.0.w'", "holds only 2");
            MemorySegment readOnly = MemorySegment.ofArray(new float[3]).asReadOnly();
            assertThrows(IllegalArgumentException.class, () -> f.readFloats("blocks.0.w", readOnly));
            float[] larger = {9, 9, 9, 9};
            f.readFloats("blocks.0.w", MemorySegment.ofArray(larger));
            assertArrayEquals(new float[] {1, 2, 3, 9}, larger);
        }
    }

    @Test
    void requireAndInfoNameTheFileTensorAndCloseNames() throws IOException {
        Path p = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("blocks.0.attn.qkv.weight", new float[288 * 96], 288, 96).add("blocks.0.attn.qkv.bias", new float[288], 288)
                .add("blocks.2.attn.qkv.weight", new float[6], 2, 3).add("blocks.11.mlp.fc1.weight", new float[1], 1)
                .add("cls_token", new float[3], 1, 1, 3).add("pos_embed", new float[3], 1, 1, 3).write(p, false);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            SafetensorsException shape = assertThrows(SafetensorsException.class, () -> f.require("blocks.0.attn.qkv.weight", 288, 97));
            assertTrue(shape.getMessage().endsWith("model.safetensors: tensor 'blocks.0.attn.qkv.weight' has shape [288, 96], expected [288, 97]"),
                    shape.getMessage());
            assertMessage(assertThrows(SafetensorsException.class, () -> f.require("cls_token", 1, 3)), "[1, 1, 3], expected [1, 3]");

            SafetensorsException missing = assertThrows(SafetensorsException.class, () -> f.info("blocks.1.attn.qkv.weight"));
            assertMessage(missing, "model.safetensors", "tensor 'blocks.1.attn.qkv.weight' not found",
                    "closest: blocks.0.attn.qkv.weight, blocks.2.attn.qkv.weight)");
            assertFalse(missing.getMessage().contains("qkv.bias"), "same suffix only: " + missing.getMessage());

            SafetensorsException typo = assertThrows(SafetensorsException.class, () -> f.require("pos_embd", 1, 1, 3));
            assertMessage(typo, "model.safetensors", "'pos_embd' not found", "closest: pos_embed,");
            SafetensorsException viaRead = assertThrows(SafetensorsException.class, () -> f.readFloats("blocks.11.mlp.fc2.weight"));
            assertMessage(viaRead, "model.safetensors", "'blocks.11.mlp.fc2.weight' not found", "closest: blocks.11.mlp.fc1.weight");
            assertThrows(SafetensorsException.class, () -> f.readLongs("nope"));
        }
        Path none = new StBuilder().metadata("{}").write(dir.resolve("none.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(none)) {
            assertEquals(List.of(), f.names());
            assertMessage(assertThrows(SafetensorsException.class, () -> f.info("x")), "none.safetensors", "'x' not found", "no tensors");
        }
    }

    @Test
    void tolerantWhereTheFormatAllows() throws IOException {
        // unknown entry fields are ignored, __metadata__ may be null, holes and trailing bytes in the data are allowed,
        // the header may be padded with any JSON whitespace, tensors need not be in offset order
        String header = "{\"__metadata__\":null,\"b\":{\"shape\":[1],\"extra\":{\"x\":[1,2,{}]},\"dtype\":\"F32\",\"data_offsets\":[8,12]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} \n\t\r ";
        Path p = dir.resolve("tolerant.safetensors");
        Files.write(p, StBuilder.raw(header.length(), header.getBytes(), f32(1, 99, 2, 98)));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("b", "a"), f.names());
            assertEquals(Map.of(), f.metadata());
            assertArrayEquals(new float[] {2}, f.readFloats("b"));
            assertArrayEquals(new float[] {1}, f.readFloats("a"));
            assertEquals(List.of(f.info("b"), f.info("a")), f.tensors());
        }
    }

    @Test
    void closedFilesFailClearly() throws IOException {
        Path p = dir.resolve("c.safetensors");
        new SafetensorsWriter().add("x", new float[] {1}).write(p, false);
        SafetensorsFile f = SafetensorsFile.open(p);
        f.close();
        f.close(); // twice is fine
        assertMessage(assertThrows(SafetensorsException.class, () -> f.readFloats("x")), "c.safetensors", "closed");
        assertMessage(assertThrows(SafetensorsException.class, () -> f.readHalfs("x", MemorySegment.ofArray(new short[1]))), "closed");
        assertEquals(List.of("x"), f.names()); // the header stays available
    }

    @Test
    void viewsAreImmutable() throws IOException {
        Path p = dir.resolve("v.safetensors");
        new SafetensorsWriter().add("x", new float[] {1, 2}, 2).metadata("k", "v").write(p, false);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThrows(UnsupportedOperationException.class, () -> f.names().clear());
            assertThrows(UnsupportedOperationException.class, () -> f.metadata().put("k", "w"));
            f.info("x").shape()[0] = 99;
            assertArrayEquals(new long[] {2}, f.info("x").shape());
        }
        assertThrows(IllegalArgumentException.class, () -> new TensorInfo("t", Dtype.F32, new long[] {2}, 0, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> new TensorInfo("t", Dtype.F32, new long[] {-2}, 0, -8, -2));
    }

    @Test
    void writerRefusesToOverwriteUnlessTold() throws IOException {
        Path p = dir.resolve("keep.safetensors");
        new SafetensorsWriter().add("x", new float[] {1, 2}, 2).write(p, false);
        byte[] before = Files.readAllBytes(p);
        var exists = assertThrows(FileAlreadyExistsException.class, () -> new SafetensorsWriter().add("y", new float[] {3}).write(p, false));
        assertTrue(exists.getMessage().contains("keep.safetensors"), exists.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p), "untouched");

        try (SafetensorsFile old = SafetensorsFile.open(p)) {
            new SafetensorsWriter().add("y", new float[] {3}).write(p, true);
            assertArrayEquals(new float[] {1, 2}, old.readFloats("x"), "a reader of the old file keeps its data");
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("y"), f.names());
            assertArrayEquals(new float[] {3}, f.readFloats("y"));
        }
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(p), listing.toList(), "no temporary files left behind");
        }
        assertThrows(IOException.class, () -> new SafetensorsWriter().add("x", new float[1]).write(dir, true));
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void writerValidatesItsInput() throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().add("x", new float[4], 2, 2);
        assertThrows(IllegalArgumentException.class, () -> w.add("x", new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.add("neg", new float[4], -2, -2));
        assertThrows(IllegalArgumentException.class, () -> w.add("count", new float[5], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> w.add("huge", new float[1], 1L << 40, 1L << 40));
        assertThrows(IllegalArgumentException.class, () -> w.add("dims", new float[1], new long[65]));
        assertThrows(IllegalArgumentException.class, () -> w.add("seg", MemorySegment.ofArray(new float[3]), 2, 2));

        Path bad = dir.resolve("bad.safetensors");
        IOException surrogate = assertThrows(IOException.class, () -> new SafetensorsWriter().add("\ud800", new float[1]).write(bad, false));
        assertTrue(surrogate.getMessage().contains("surrogate"), surrogate.getMessage());
        assertFalse(Files.exists(bad), "nothing written");
    }

    @Test
    void writerTakesOffHeapSegments() throws IOException {
        Path p = dir.resolve("seg.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment values = arena.allocate(3 * 4);
            for (int i = 0; i < 3; i++) {
                values.setAtIndex(LE_FLOAT, i, i + 0.5f);
            }
            new SafetensorsWriter().add("features", values, 1, 3).add("more", new float[] {4}, 1).write(p, false);
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f}, f.readFloats("features"));
            assertArrayEquals(new float[] {4}, f.readFloats("more"));
        }
    }

    @Test
    void writerHandlesTensorsLargerThanItsBuffer() throws IOException {
        int n = (1 << 20) / 4 * 3 + 17;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        Path p = dir.resolve("large.safetensors");
        new SafetensorsWriter().add("x", values, n).add("y", new float[] {-1}).write(p, false);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(values, f.readFloats("x"));
            assertArrayEquals(new float[] {-1}, f.readFloats("y"));
        }
    }

    static void assertMessage(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
    }
}
