package org.vitornado.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a valid file: opening it and reading every tensor either succeeds (and then agrees with the
 * file) or throws {@link SafetensorsException} naming the file, each case well under a second.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MutationFuzzTest {

    static final long SEED = 20250131L;
    static final int CASES = 600;
    static final long PER_CASE_NANOS = 2_000_000_000L;

    enum Mutation { FLIP_BYTES, HEADER_CHARS, HEADER_LENGTH, TRUNCATE, EXTEND, DELETE_RANGE, INSERT_RANGE, DUPLICATE_HEADER_SPAN }

    @TempDir
    Path dir;

    static byte[] validFile() {
        return new StBuilder().metadata("{\"format\":\"pt\",\"k\":\"v\"}")
                .tensor("blocks.0.attn.qkv.weight", "F32", new long[] {3, 2}, StBuilder.f32(1, 2, 3, 4, 5, 6))
                .tensor("h", "F16", new long[] {2}, StBuilder.f16(1.5f, -2))
                .tensor("b", "BF16", new long[] {2, 1}, StBuilder.bf16(3.25f, -0.5f))
                .tensor("d", "F64", new long[] {1}, StBuilder.f64(0.1))
                .tensor("n", "I64", new long[] {}, StBuilder.i64(42))
                .tensor("e", "F32", new long[] {0, 3}, new byte[0])
                .bytes();
    }

    static byte[] mutate(byte[] original, Mutation m, Random r) {
        byte[] b = original.clone();
        int headerEnd = 8 + (int) ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] structural = "{}[]\":,0123456789-.eE \\nN".getBytes(StandardCharsets.US_ASCII);
        switch (m) {
            case FLIP_BYTES -> {
                for (int e = 1 + r.nextInt(4); e > 0; e--) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            case HEADER_CHARS -> {
                for (int e = 1 + r.nextInt(3); e > 0; e--) {
                    b[8 + r.nextInt(headerEnd - 8)] = structural[r.nextInt(structural.length)];
                }
            }
            case HEADER_LENGTH -> {
                long[] choices = {0, 1, 7, headerEnd - 9, headerEnd - 7, headerEnd, b.length, b.length - 8, 1L << 32, -1, Long.MIN_VALUE,
                        r.nextInt(b.length + 16), r.nextLong()};
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, choices[r.nextInt(choices.length)]);
            }
            case TRUNCATE -> b = Arrays.copyOf(b, r.nextInt(b.length));
            case EXTEND -> {
                b = Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
                for (int i = original.length; i < b.length; i++) {
                    b[i] = (byte) r.nextInt(256);
                }
            }
            case DELETE_RANGE -> {
                int from = r.nextInt(b.length);
                int to = Math.min(b.length, from + 1 + r.nextInt(16));
                byte[] out = new byte[b.length - (to - from)];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, to, out, from, b.length - to);
                b = out;
            }
            case INSERT_RANGE -> {
                int at = r.nextInt(b.length + 1);
                byte[] extra = new byte[1 + r.nextInt(16)];
                for (int i = 0; i < extra.length; i++) {
                    extra[i] = r.nextBoolean() ? structural[r.nextInt(structural.length)] : (byte) r.nextInt(256);
                }
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                b = out;
            }
            case DUPLICATE_HEADER_SPAN -> { // copy a span of the header over another: duplicated names, shifted offsets
                int len = 1 + r.nextInt(40);
                int from = 8 + r.nextInt(Math.max(1, headerEnd - 8 - len));
                int to = 8 + r.nextInt(Math.max(1, headerEnd - 8 - len));
                System.arraycopy(original, from, b, to, Math.min(len, headerEnd - to));
            }
        }
        return b;
    }

    /** Opens {@code p} and reads every tensor in every way that applies; returns how many tensors were read. */
    static int openAndReadAll(Path p, long fileSize) throws SafetensorsException {
        try (SafetensorsFile f = SafetensorsFile.open(p); Arena arena = Arena.ofConfined()) {
            List<TensorInfo> infos = f.tensors();
            for (TensorInfo t : infos) { // what open promises about every tensor it accepts
                assertTrue(t.offset() >= 8 && t.offset() + t.length() <= fileSize, t.toString());
                assertEquals(t.length(), t.elementCount() * t.dtype().bytes(), t.toString());
            }
            for (TensorInfo t : infos) {
                if (t.dtype().isFloat()) {
                    float[] a = f.readFloats(t.name());
                    assertEquals(t.elementCount(), a.length);
                    MemorySegment dst = arena.allocate(Math.max(1, t.elementCount() * 4));
                    f.readFloats(t.name(), dst);
                    f.readHalfs(t.name(), arena.allocate(Math.max(1, t.elementCount() * 2)));
                } else if (t.dtype().isInteger()) {
                    assertEquals(t.elementCount(), f.readLongs(t.name()).length);
                }
            }
            return infos.size();
        }
    }

    @Test
    void mutatedFilesOpenOrFailWithSafetensorsExceptionOnly() throws IOException {
        byte[] original = validFile();
        Path clean = dir.resolve("clean.safetensors");
        Files.write(clean, original);
        assertEquals(6, openAndReadAll(clean, original.length), "the unmutated file reads");

        Random r = new Random(SEED);
        Mutation[] kinds = Mutation.values();
        Map<Mutation, int[]> outcomes = new EnumMap<>(Mutation.class); // [accepted, rejected]
        List<String> slow = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            Mutation m = kinds[i % kinds.length];
            byte[] mutated = mutate(original, m, r);
            Path p = dir.resolve("fuzz" + i + ".safetensors");
            Files.write(p, mutated);
            long start = System.nanoTime();
            boolean accepted;
            try {
                openAndReadAll(p, mutated.length);
                accepted = true;
            } catch (SafetensorsException expected) {
                assertTrue(expected.getMessage().contains(p.toString()), "case " + i + " (" + m + "): " + expected.getMessage());
                accepted = false;
            } catch (Throwable t) {
                fail("case " + i + " (" + m + ", seed " + SEED + ") escaped as " + t, t);
                return;
            }
            long took = System.nanoTime() - start;
            if (took > PER_CASE_NANOS) {
                slow.add("case " + i + " (" + m + "): " + took / 1_000_000 + " ms");
            }
            outcomes.computeIfAbsent(m, k -> new int[2])[accepted ? 0 : 1]++;
            Files.delete(p);
        }
        assertEquals(List.of(), slow, "every case must be quick");
        for (Mutation m : kinds) {
            int[] o = outcomes.get(m);
            if (m == Mutation.EXTEND) { // bytes after the last tensor are allowed: always a valid file
                assertEquals(0, o[1], "EXTEND rejected a file with trailing bytes");
            } else {
                assertTrue(o[1] > 0, m + " never produced a rejected file: the mutation is not doing anything");
            }
        }
        // Byte flips in the data leave a valid file: some must get through and be read.
        assertTrue(outcomes.get(Mutation.FLIP_BYTES)[0] > 0, "no flipped file was accepted");
    }

    @Test
    void randomHeadersFromJsonFragmentsOpenOrFailCleanly() throws IOException {
        String[] fragments = {"{", "}", "[", "]", ",", ":", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"F32\"", "\"F16\"", "\"I64\"",
                "\"__metadata__\"", "\"a\"", "\"b\"", "0", "4", "8", "-1", "1.5", "1e400", "99999999999999999999", "null", "true",
                "\"\\u0000\"", " "};
        Random r = new Random(SEED + 1);
        int rejected = 0;
        for (int i = 0; i < 400; i++) {
            StringBuilder h = new StringBuilder("{");
            for (int k = 1 + r.nextInt(40); k > 0; k--) {
                h.append(fragments[r.nextInt(fragments.length)]);
            }
            Path p = dir.resolve("frag" + i + ".safetensors");
            byte[] bytes = StBuilder.file(h.toString(), new byte[r.nextInt(3) * 8]);
            Files.write(p, bytes);
            long start = System.nanoTime();
            try {
                openAndReadAll(p, bytes.length);
            } catch (SafetensorsException expected) {
                assertTrue(expected.getMessage().contains(p.toString()), expected.getMessage());
                rejected++;
            } catch (Throwable t) {
                fail("header " + h + " escaped as " + t, t);
            }
            assertTrue(System.nanoTime() - start < PER_CASE_NANOS, "slow: " + h);
            Files.delete(p);
        }
        assertTrue(rejected > 300, "rejected only " + rejected);
    }
}
