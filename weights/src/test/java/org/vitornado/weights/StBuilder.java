package org.vitornado.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds safetensors files byte by byte for tests: any dtype, contiguous data, or a raw header of one's own making
 * (for hostile files).
 */
final class StBuilder {

    private final List<String> entries = new ArrayList<>();
    private final List<byte[]> data = new ArrayList<>();
    private String metadataJson;
    private long offset;

    /** Adds a tensor with {@code bytes} of data (little-endian elements), offsets computed. */
    StBuilder tensor(String name, String dtype, long[] shape, byte[] bytes) {
        entries.add(json(name) + ":{\"dtype\":\"" + dtype + "\",\"shape\":" + list(shape) + ",\"data_offsets\":["
                + offset + "," + (offset + bytes.length) + "]}");
        data.add(bytes);
        offset += bytes.length;
        return this;
    }

    StBuilder metadata(String json) {
        metadataJson = json;
        return this;
    }

    String header() {
        List<String> all = new ArrayList<>();
        if (metadataJson != null) {
            all.add("\"__metadata__\":" + metadataJson);
        }
        all.addAll(entries);
        return "{" + String.join(",", all) + "}";
    }

    byte[] dataBytes() {
        ByteBuffer b = ByteBuffer.allocate((int) offset);
        data.forEach(b::put);
        return b.array();
    }

    byte[] bytes() {
        return file(header(), dataBytes());
    }

    Path write(Path path) throws IOException {
        Files.write(path, bytes());
        return path;
    }

    /** A file: the UTF-8 header (padded with spaces to a multiple of 8) and the data. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        return b.put(data).array();
    }

    /** A file with an exact header length field and raw header bytes (no padding). */
    static byte[] raw(long headerLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(headerLength).put(header).put(data).array();
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String list(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    }

    static long[] shape(long... dims) {
        return dims;
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] f32(float... v) {
        ByteBuffer b = le(v.length * 4);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    static byte[] f64(double... v) {
        ByteBuffer b = le(v.length * 8);
        for (double x : v) {
            b.putDouble(x);
        }
        return b.array();
    }

    /** Raw 16-bit patterns (F16 or BF16 bits). */
    static byte[] u16(short... v) {
        ByteBuffer b = le(v.length * 2);
        for (short x : v) {
            b.putShort(x);
        }
        return b.array();
    }

    static byte[] f16(float... v) {
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = Float.floatToFloat16(v[i]);
        }
        return u16(s);
    }

    /** BF16 by truncation of exactly representable values (tests pick values with zero low mantissa bits). */
    static byte[] bf16(float... v) {
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = (short) (Float.floatToRawIntBits(v[i]) >>> 16);
        }
        return u16(s);
    }

    static byte[] i64(long... v) {
        ByteBuffer b = le(v.length * 8);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    static byte[] i32(int... v) {
        ByteBuffer b = le(v.length * 4);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    static byte[] i8(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
