package org.vitornado.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;

/**
 * A memory-mapped safetensors checkpoint: 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}}, plus an optional string map {@code __metadata__}), then the data.
 * The whole header is validated when the file is opened, so a truncated or hostile file fails at once with a
 * message naming the file and the tensor, before anything is allocated from its claims; tensor data is read only
 * when asked for.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Headers larger than this are refused (real checkpoints have headers of kilobytes to a few megabytes). */
    static final long MAX_HEADER_BYTES = 100L << 20;
    static final int MAX_DIMS = 16;

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment file, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps and validates {@code path}. */
    public static SafetensorsFile open(Path path) throws SafetensorsException {
        if (Files.isDirectory(path)) {
            throw new SafetensorsException(path + ": is a directory, not a safetensors file");
        }
        if (!Files.isRegularFile(path)) {
            throw new SafetensorsException(path + ": no such file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException(path + ": " + size + " bytes is too short for a safetensors file (8-byte header length missing)");
            }
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path + ": header length " + Long.toUnsignedString(headerLength)
                        + " is out of range (1 .. " + MAX_HEADER_BYTES + " bytes)");
            }
            if (headerLength > size - 8) {
                throw new SafetensorsException(path + ": header length " + headerLength + " runs past the end of the file ("
                        + size + " bytes): truncated or not a safetensors file");
            }
            String header = decode(path, file.asSlice(8, headerLength));
            long dataStart = 8 + headerLength;
            HeaderParser parsed = new HeaderParser(path, size - dataStart, dataStart);
            parsed.parse(header);
            return new SafetensorsFile(path, arena, file, parsed.tensors, parsed.metadata);
        } catch (SafetensorsException e) {
            arena.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new SafetensorsException(path + ": cannot read (" + e + ")", e);
        }
    }

    private static String decode(Path path, MemorySegment bytes) throws SafetensorsException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(path + ": header is not valid UTF-8");
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in file order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The header entry of {@code name}. */
    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new SafetensorsException(path + ": tensor '" + name + "' not found" + suggestion(name));
        }
        return info;
    }

    /** The entry of {@code name}, checked to have {@code expectedShape}. */
    public TensorInfo require(String name, long... expectedShape) throws SafetensorsException {
        TensorInfo info = info(name);
        if (!Arrays.equals(info.shape(), expectedShape)) {
            throw new SafetensorsException(path + ": tensor '" + name + "' has shape " + info.shapeString()
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return info;
    }

    /** {@code name} as float32, converted from F32, F16, BF16 or F64. */
    public float[] readFloats(String name) throws SafetensorsException {
        TensorInfo info = floatTensor(name);
        float[] out = new float[Math.toIntExact(info.elementCount())];
        convert(info, MemorySegment.ofArray(out));
        return out;
    }

    /** Writes {@code name} as little-endian float32 into {@code dst} (which must hold at least its elements). */
    public void readFloats(String name, MemorySegment dst) throws SafetensorsException {
        TensorInfo info = floatTensor(name);
        if (dst.byteSize() < info.elementCount() * Float.BYTES) {
            throw new SafetensorsException(path + ": tensor '" + name + "' has " + info.elementCount()
                    + " elements, destination holds " + dst.byteSize() / Float.BYTES);
        }
        convert(info, dst);
    }

    /** Writes {@code name} as IEEE fp16 bits into {@code dst}. */
    public void readHalfs(String name, MemorySegment dst) throws SafetensorsException {
        TensorInfo info = floatTensor(name);
        long n = info.elementCount();
        if (dst.byteSize() < n * 2) {
            throw new SafetensorsException(path + ": tensor '" + name + "' has " + n + " elements, destination holds " + dst.byteSize() / 2);
        }
        MemorySegment src = file.asSlice(info.offset(), info.length());
        for (long i = 0; i < n; i++) {
            short bits = info.dtype() == Dtype.F16 ? src.getAtIndex(LE_SHORT, i) : Float.floatToFloat16(floatAt(info.dtype(), src, i));
            dst.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, bits);
        }
    }

    /** {@code name} as longs (I64). */
    public long[] readLongs(String name) throws SafetensorsException {
        TensorInfo info = info(name);
        if (info.dtype() != Dtype.I64) {
            throw new SafetensorsException(path + ": tensor '" + name + "' is " + info.dtype() + ", not I64");
        }
        long[] out = new long[Math.toIntExact(info.elementCount())];
        MemorySegment src = file.asSlice(info.offset(), info.length());
        for (int i = 0; i < out.length; i++) {
            out[i] = src.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
        }
        return out;
    }

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TensorInfo floatTensor(String name) throws SafetensorsException {
        TensorInfo info = info(name);
        if (!info.dtype().isFloat()) {
            throw new SafetensorsException(path + ": tensor '" + name + "' is " + info.dtype() + ", not a floating-point tensor");
        }
        return info;
    }

    private void convert(TensorInfo info, MemorySegment dst) {
        MemorySegment src = file.asSlice(info.offset(), info.length());
        long n = info.elementCount();
        if (info.dtype() == Dtype.F32 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            MemorySegment.copy(src, 0, dst, 0, info.length());
            return;
        }
        for (long i = 0; i < n; i++) {
            dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, floatAt(info.dtype(), src, i));
        }
    }

    private static float floatAt(Dtype dtype, MemorySegment src, long i) {
        return switch (dtype) {
            case F32 -> src.getAtIndex(LE_FLOAT, i);
            case F16 -> Float.float16ToFloat(src.getAtIndex(LE_SHORT, i));
            case BF16 -> Float.intBitsToFloat((src.getAtIndex(LE_SHORT, i) & 0xFFFF) << 16);
            case F64 -> (float) src.getAtIndex(LE_DOUBLE, i);
            default -> throw new IllegalStateException(dtype.name());
        };
    }

    private String suggestion(String name) {
        String tail = name.contains(".") ? name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1) : name;
        List<String> close = tensors.keySet().stream().filter(n -> n.endsWith(tail)).limit(3).toList();
        if (close.isEmpty()) {
            close = tensors.keySet().stream().sorted(Comparator.comparingInt(n -> editDistance(n, name))).limit(3).toList();
        }
        return close.isEmpty() ? " (the file has no tensors)" : " (closest: " + String.join(", ", close) + ")";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Parses and checks the JSON header against the data region. */
    private static final class HeaderParser {
        final Path path;
        final long dataBytes;
        final long dataStart;
        final Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();

        HeaderParser(Path path, long dataBytes, long dataStart) {
            this.path = path;
            this.dataBytes = dataBytes;
            this.dataStart = dataStart;
        }

        void parse(String header) throws SafetensorsException {
            JsonElement root;
            try {
                JsonReader reader = new JsonReader(new java.io.StringReader(header));
                reader.setStrictness(Strictness.STRICT);
                reader.setNestingLimit(64);
                root = com.google.gson.internal.Streams.parse(reader);
                if (reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                    throw new SafetensorsException(path + ": header has trailing data after the JSON object");
                }
            } catch (SafetensorsException e) {
                throw e;
            } catch (RuntimeException | IOException | StackOverflowError e) {
                throw new SafetensorsException(path + ": header is not valid JSON (" + e.getMessage() + ")");
            }
            if (root == null || !root.isJsonObject()) {
                throw new SafetensorsException(path + ": header must be a JSON object");
            }
            checkDuplicates(header);
            List<long[]> ranges = new ArrayList<>();
            List<String> rangeNames = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    metadata = metadata(e.getValue());
                    continue;
                }
                TensorInfo info = tensor(e.getKey(), e.getValue());
                tensors.put(e.getKey(), info);
                ranges.add(new long[] {info.offset() - dataStart, info.offset() - dataStart + info.length()});
                rangeNames.add(e.getKey());
            }
            Integer[] order = new Integer[ranges.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingLong(i -> ranges.get(i)[0]));
            int furthest = -1; // the earlier non-empty tensor reaching furthest into the data
            for (int k = 0; k < order.length; k++) {
                long[] here = ranges.get(order[k]);
                if (here[1] == here[0]) {
                    continue;
                }
                if (furthest >= 0 && here[0] < ranges.get(furthest)[1]) {
                    long[] before = ranges.get(furthest);
                    throw new SafetensorsException(path + ": tensor '" + rangeNames.get(order[k]) + "' [" + here[0] + ", " + here[1]
                            + ") overlaps tensor '" + rangeNames.get(furthest) + "' [" + before[0] + ", " + before[1] + ")");
                }
                if (furthest < 0 || here[1] > ranges.get(furthest)[1]) {
                    furthest = order[k];
                }
            }
        }

        private void checkDuplicates(String header) throws SafetensorsException {
            // gson keeps the last of duplicate keys silently; a checkpoint with two definitions of a tensor is corrupt.
            try {
                JsonReader reader = new JsonReader(new java.io.StringReader(header));
                reader.setNestingLimit(64);
                reader.beginObject();
                Set<String> seen = new java.util.HashSet<>();
                while (reader.hasNext()) {
                    String key = reader.nextName();
                    if (!seen.add(key)) {
                        throw new SafetensorsException(path + ": tensor '" + key + "' is defined twice in the header");
                    }
                    reader.skipValue();
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof SafetensorsException se) {
                    throw se;
                }
                throw new SafetensorsException(path + ": header is not valid JSON (" + e.getMessage() + ")");
            }
        }

        private Map<String, String> metadata(JsonElement e) throws SafetensorsException {
            if (!e.isJsonObject()) {
                throw new SafetensorsException(path + ": __metadata__ must be an object of strings");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
                if (!(m.getValue() instanceof JsonPrimitive p) || !p.isString()) {
                    throw new SafetensorsException(path + ": __metadata__ value of '" + m.getKey() + "' is not a string");
                }
                out.put(m.getKey(), p.getAsString());
            }
            return Collections.unmodifiableMap(out);
        }

        private TensorInfo tensor(String name, JsonElement e) throws SafetensorsException {
            String where = path + ": tensor '" + name + "'";
            if (!e.isJsonObject()) {
                throw new SafetensorsException(where + ": entry must be an object with dtype, shape and data_offsets");
            }
            JsonObject o = e.getAsJsonObject();
            JsonElement dt = o.get("dtype");
            if (!(dt instanceof JsonPrimitive p) || !p.isString()) {
                throw new SafetensorsException(where + ": missing or non-string dtype");
            }
            Dtype dtype = Dtype.parse(p.getAsString());
            if (dtype == null) {
                throw new SafetensorsException(where + ": unknown dtype '" + p.getAsString() + "'");
            }
            long[] shape = integers(where, "shape", o.get("shape"), -1);
            if (shape.length > MAX_DIMS) {
                throw new SafetensorsException(where + ": " + shape.length + " dimensions is more than " + MAX_DIMS);
            }
            long[] offsets = integers(where, "data_offsets", o.get("data_offsets"), 2);
            long begin = offsets[0];
            long end = offsets[1];
            if (begin > end) {
                throw new SafetensorsException(where + ": data_offsets [" + begin + ", " + end + "] are reversed");
            }
            if (end > dataBytes) {
                throw new SafetensorsException(where + ": data_offsets end " + end + " is past the end of the data (" + dataBytes + " bytes)");
            }
            long bytes;
            try {
                long count = 1;
                for (long d : shape) {
                    count = Math.multiplyExact(count, d);
                }
                bytes = Math.multiplyExact(count, dtype.bytes());
            } catch (ArithmeticException overflow) {
                throw new SafetensorsException(where + ": shape " + Arrays.toString(shape) + " has more elements than fit in 64 bits");
            }
            if (bytes != end - begin) {
                throw new SafetensorsException(where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
                        + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
            }
            return new TensorInfo(name, dtype, shape, dataStart + begin, bytes);
        }

        private long[] integers(String where, String key, JsonElement e, int expectedLength) throws SafetensorsException {
            if (e == null || !e.isJsonArray()) {
                throw new SafetensorsException(where + ": " + key + " must be a list of integers");
            }
            var list = e.getAsJsonArray();
            if (expectedLength >= 0 && list.size() != expectedLength) {
                throw new SafetensorsException(where + ": " + key + " must have " + expectedLength + " integers, got " + list.size());
            }
            if (list.size() > MAX_DIMS) {
                throw new SafetensorsException(where + ": " + key + " has " + list.size() + " entries, more than " + MAX_DIMS);
            }
            long[] out = new long[list.size()];
            for (int i = 0; i < out.length; i++) {
                JsonElement v = list.get(i);
                if (!(v instanceof JsonPrimitive p) || !p.isNumber()) {
                    throw new SafetensorsException(where + ": " + key + " must be a list of integers, got " + e);
                }
                java.math.BigDecimal d;
                try {
                    d = p.getAsBigDecimal();
                } catch (NumberFormatException nfe) {
                    throw new SafetensorsException(where + ": " + key + " entry '" + p + "' is not a number");
                }
                if (d.signum() < 0 || d.stripTrailingZeros().scale() > 0 || d.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                    throw new SafetensorsException(where + ": " + key + " entry " + p + " is not a non-negative 64-bit integer");
                }
                out[i] = d.longValueExact();
            }
            return out;
        }
    }
}
