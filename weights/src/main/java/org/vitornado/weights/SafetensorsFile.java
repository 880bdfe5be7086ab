package org.vitornado.weights;

import static org.vitornado.weights.Messages.quote;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A memory-mapped safetensors checkpoint: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({@code name -> {dtype, shape, data_offsets}}, plus an optional string map {@code __metadata__}), then the data
 * buffer, little-endian.
 *
 * <p>{@link #open} reads and validates the whole header before anything else, so a truncated or hostile file fails
 * at once with a {@link SafetensorsException} naming the file (and the tensor and offending value where there is
 * one), before anything is allocated from the file's claims. The file is mapped read-only; tensor data is touched
 * only when a tensor is read. Reads may run concurrently from several threads; {@link #close} must not race them.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Headers longer than this are refused (real checkpoints have headers of kilobytes to a few megabytes). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Shapes with more dimensions than this are refused. */
    public static final int MAX_DIMS = 64;

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Elements converted per step: small enough to stay in cache, large enough for bulk copies to pay. */
    private static final int CHUNK = 8192;
    /** The longest Java array the JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final Map<String, TensorInfo> tensors;
    private final List<String> names;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(Path path, Arena arena, MemorySegment file, HeaderParser.Header header) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.tensors = header.tensors();
        this.names = List.copyOf(header.tensors().keySet());
        this.metadata = header.metadata();
    }

    /**
     * Opens, validates and maps {@code path}.
     *
     * @throws SafetensorsException if the file is missing, not a regular file, unreadable, or not a valid safetensors
     *                              file; the message names the file and what is wrong
     */
    public static SafetensorsFile open(Path path) throws SafetensorsException {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            throw new SafetensorsException(path + ": is a directory, not a safetensors file");
        }
        if (!Files.exists(path)) {
            throw new SafetensorsException(path + ": no such file");
        }
        if (!Files.isRegularFile(path)) { // a device or pipe could block or never end
            throw new SafetensorsException(path + ": not a regular file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new SafetensorsException(path + ": empty file, not a safetensors file");
            }
            if (size < 8) {
                throw new SafetensorsException(path + ": " + size
                        + " bytes is too short for a safetensors file (it starts with an 8-byte header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(path, channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength == 0) {
                throw new SafetensorsException(path + ": header length is 0 (a header is at least '{}')");
            }
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path + ": header length " + Long.toUnsignedString(headerLength)
                        + " is absurd (the limit is " + MAX_HEADER_BYTES + " bytes): corrupt or not a safetensors file");
            }
            if (headerLength > size - 8) {
                throw new SafetensorsException(path + ": header length " + headerLength + " runs past the end of the file ("
                        + size + " bytes): truncated or not a safetensors file");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(path, channel, headerBytes, 8);
            String json = decodeUtf8(path, headerBytes);
            long dataStart = 8 + headerLength;
            HeaderParser.Header header = HeaderParser.parse(path, json, dataStart, size - dataStart);
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new SafetensorsFile(path, arena, mapped, header);
        } catch (SafetensorsException e) {
            arena.close();
            throw e;
        } catch (NoSuchFileException e) {
            arena.close();
            throw new SafetensorsException(path + ": no such file", e);
        } catch (AccessDeniedException e) {
            arena.close();
            throw new SafetensorsException(path + ": permission denied", e);
        } catch (IOException | RuntimeException | InternalError e) {
            arena.close();
            throw new SafetensorsException(path + ": cannot read (" + e + ")", e);
        }
    }

    private static void readFully(Path path, FileChannel channel, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into, position + into.position());
            if (n < 0) {
                throw new SafetensorsException(path + ": file ended at byte " + (position + into.position()) + " while reading the header");
            }
        }
        into.flip();
    }

    private static String decodeUtf8(Path path, ByteBuffer bytes) throws SafetensorsException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.remaining());
        CoderResult result = decoder.decode(bytes, chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            throw new SafetensorsException(path + ": header is not valid UTF-8 (at file byte " + (8 + bytes.position()) + ")");
        }
        return chars.flip().toString();
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** Tensor names in header order (unmodifiable). */
    public List<String> names() {
        return names;
    }

    /** All header entries in header order (unmodifiable). */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    /** Number of tensors. */
    public int size() {
        return names.size();
    }

    /** Whether the file has a tensor {@code name}. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The {@code __metadata__} map (empty if absent; unmodifiable, in header order). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The header entry of {@code name}.
     *
     * @throws SafetensorsException naming the file and tensor, with the closest names in the file, if it is missing
     */
    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new SafetensorsException(path + ": tensor " + quote(name) + " not found" + suggestion(name));
        }
        return info;
    }

    /**
     * The entry of {@code name}, checked to have exactly {@code expectedShape}.
     *
     * @throws SafetensorsException if it is missing (see {@link #info}) or has another shape, e.g.
     *                              {@code model.safetensors: tensor 'a.weight' has shape [288, 96], expected [288, 97]}
     */
    public TensorInfo require(String name, long... expectedShape) throws SafetensorsException {
        TensorInfo info = info(name);
        if (!info.hasShape(expectedShape)) {
            throw new SafetensorsException(path + ": tensor " + quote(name) + " has shape " + info.shapeString()
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return info;
    }

    /**
     * Tensor {@code name} as float32, converted from F32, F16, BF16 (exactly) or F64 (rounded to nearest).
     *
     * @throws SafetensorsException if it is missing, not a floating-point tensor, or too large for a Java array
     */
    public float[] readFloats(String name) throws SafetensorsException {
        TensorInfo info = floatTensor(name);
        float[] out = allocate(info, n -> new float[n]);
        MemorySegment src = data(info);
        try {
            if (info.dtype() == Dtype.F32) {
                MemorySegment.copy(src, LE_FLOAT, 0, out, 0, out.length);
            } else {
                Scratch s = new Scratch();
                for (int i = 0; i < out.length; i += CHUNK) {
                    toFloats(info.dtype(), src, i, out, i, Math.min(CHUNK, out.length - i), s);
                }
            }
        } catch (IllegalStateException | InternalError e) {
            throw readFailure(info, e);
        }
        return out;
    }

    /**
     * Writes tensor {@code name} as little-endian float32 into the first {@code 4 * elementCount} bytes of
     * {@code dst} (for instance the segment of an off-heap float array), converting F16, BF16 or F64.
     *
     * @throws SafetensorsException     if it is missing, not a floating-point tensor, or {@code dst} is too small
     * @throws IllegalArgumentException if {@code dst} is read-only
     */
    public void readFloats(String name, MemorySegment dst) throws SafetensorsException {
        TensorInfo info = floatTensor(name);
        long n = info.elementCount();
        checkDestination(info, dst, Float.BYTES);
        MemorySegment src = data(info);
        try {
            if (info.dtype() == Dtype.F32) {
                MemorySegment.copy(src, 0, dst, 0, info.length());
                return;
            }
            Scratch s = new Scratch();
            for (long i = 0; i < n; i += CHUNK) {
                int count = (int) Math.min(CHUNK, n - i);
                toFloats(info.dtype(), src, i, s.floats, 0, count, s);
                MemorySegment.copy(s.floats, 0, dst, LE_FLOAT, i * Float.BYTES, count);
            }
        } catch (IllegalStateException | InternalError e) {
            throw readFailure(info, e);
        }
    }

    /**
     * Writes tensor {@code name} as little-endian IEEE fp16 bits into the first {@code 2 * elementCount} bytes of
     * {@code dst}: F16 is copied, F32 and BF16 are rounded with {@link Float#floatToFloat16}, F64 is rounded to
     * float32 first.
     *
     * @throws SafetensorsException     if it is missing, not a floating-point tensor, or {@code dst} is too small
     * @throws IllegalArgumentException if {@code dst} is read-only
     */
    public void readHalfs(String name, MemorySegment dst) throws SafetensorsException {
        TensorInfo info = floatTensor(name);
        long n = info.elementCount();
        checkDestination(info, dst, Short.BYTES);
        MemorySegment src = data(info);
        try {
            if (info.dtype() == Dtype.F16) {
                MemorySegment.copy(src, 0, dst, 0, info.length());
                return;
            }
            Scratch s = new Scratch();
            for (long i = 0; i < n; i += CHUNK) {
                int count = (int) Math.min(CHUNK, n - i);
                toFloats(info.dtype(), src, i, s.floats, 0, count, s);
                for (int k = 0; k < count; k++) {
                    s.shorts[k] = Float.floatToFloat16(s.floats[k]);
                }
                MemorySegment.copy(s.shorts, 0, dst, LE_SHORT, i * Short.BYTES, count);
            }
        } catch (IllegalStateException | InternalError e) {
            throw readFailure(info, e);
        }
    }

    /**
     * Tensor {@code name} as longs: I64 as is; I32, I16, I8 sign-extended; U32, U16, U8 zero-extended; BOOL as 0/1.
     *
     * @throws SafetensorsException if it is missing, not an integer tensor (U64 is refused: it may not fit), or too
     *                              large for a Java array
     */
    public long[] readLongs(String name) throws SafetensorsException {
        TensorInfo info = info(name);
        if (!info.dtype().isInteger()) {
            throw new SafetensorsException(path + ": tensor " + quote(name) + " is " + info.dtype()
                    + ", not an integer tensor readable as long (I64, I32, I16, I8, U32, U16, U8, BOOL)");
        }
        long[] out = allocate(info, n -> new long[n]);
        MemorySegment src = data(info);
        try {
            switch (info.dtype()) {
                case I64 -> MemorySegment.copy(src, LE_LONG, 0, out, 0, out.length);
                case I32 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = src.getAtIndex(LE_INT, i);
                    }
                }
                case U32 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = src.getAtIndex(LE_INT, i) & 0xFFFF_FFFFL;
                    }
                }
                case I16 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = src.getAtIndex(LE_SHORT, i);
                    }
                }
                case U16 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = src.getAtIndex(LE_SHORT, i) & 0xFFFF;
                    }
                }
                case I8 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = src.get(ValueLayout.JAVA_BYTE, i);
                    }
                }
                case U8 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = src.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
                    }
                }
                case BOOL -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = src.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
                    }
                }
                default -> throw new AssertionError(info.dtype());
            }
        } catch (IllegalStateException | InternalError e) {
            throw readFailure(info, e);
        }
        return out;
    }

    /** Per-call buffers for chunked conversion. */
    private static final class Scratch {
        final short[] shorts = new short[CHUNK];
        final double[] doubles = new double[CHUNK];
        final float[] floats = new float[CHUNK];
    }

    /** Converts elements {@code [first, first + count)} of {@code src} to float32 in {@code out[at ...]}. */
    private static void toFloats(Dtype dtype, MemorySegment src, long first, float[] out, int at, int count, Scratch s) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, LE_FLOAT, first * Float.BYTES, out, at, count);
            case F16 -> {
                MemorySegment.copy(src, LE_SHORT, first * Short.BYTES, s.shorts, 0, count);
                for (int k = 0; k < count; k++) {
                    out[at + k] = Float.float16ToFloat(s.shorts[k]);
                }
            }
            case BF16 -> {
                MemorySegment.copy(src, LE_SHORT, first * Short.BYTES, s.shorts, 0, count);
                for (int k = 0; k < count; k++) {
                    out[at + k] = Float.intBitsToFloat(s.shorts[k] << 16);
                }
            }
            case F64 -> {
                MemorySegment.copy(src, LE_DOUBLE, first * Double.BYTES, s.doubles, 0, count);
                for (int k = 0; k < count; k++) {
                    out[at + k] = (float) s.doubles[k];
                }
            }
            default -> throw new AssertionError(dtype);
        }
    }

    private MemorySegment data(TensorInfo info) throws SafetensorsException {
        ensureOpen();
        return file.asSlice(info.offset(), info.length());
    }

    private void ensureOpen() throws SafetensorsException {
        if (closed) {
            throw new SafetensorsException(path + ": file is closed");
        }
    }

    private TensorInfo floatTensor(String name) throws SafetensorsException {
        TensorInfo info = info(name);
        if (!info.dtype().isFloat()) {
            throw new SafetensorsException(path + ": tensor " + quote(name) + " is " + info.dtype()
                    + ", not a floating-point tensor (F32, F16, BF16, F64)");
        }
        return info;
    }

    private void checkDestination(TensorInfo info, MemorySegment dst, int elementBytes) throws SafetensorsException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException(path + ": tensor " + quote(info.name()) + ": destination segment is read-only");
        }
        long n = info.elementCount();
        if (dst.byteSize() / elementBytes < n) {
            throw new SafetensorsException(path + ": tensor " + quote(info.name()) + " " + info.shapeString() + " has " + n
                    + " elements, destination holds only " + dst.byteSize() / elementBytes + " (" + dst.byteSize() + " bytes)");
        }
    }

    private <T> T allocate(TensorInfo info, IntFunction<T> allocator) throws SafetensorsException {
        long n = info.elementCount();
        if (n > MAX_ARRAY) {
            throw new SafetensorsException(path + ": tensor " + quote(info.name()) + " " + info.shapeString() + " has " + n
                    + " elements, too many for a Java array: read it into a MemorySegment");
        }
        try {
            return allocator.apply((int) n);
        } catch (OutOfMemoryError e) {
            throw new SafetensorsException(path + ": tensor " + quote(info.name()) + " " + info.shapeString() + " (" + n
                    + " elements) does not fit in the Java heap: read it into a MemorySegment or raise -Xmx");
        }
    }

    private SafetensorsException readFailure(TensorInfo info, Throwable e) {
        String why = closed ? "file was closed during the read"
                : "the file changed or shrank while mapped (" + e.getMessage() + ")";
        return new SafetensorsException(path + ": tensor " + quote(info.name()) + ": " + why, e);
    }

    private String suggestion(String name) {
        if (names.isEmpty()) {
            return " (the file has no tensors)";
        }
        List<String> close = closest(name, suffix(name));
        if (close.isEmpty()) {
            close = closest(name, null);
        }
        return close.isEmpty() ? " (the file has " + names.size() + " tensors)"
                : " (closest: " + String.join(", ", close.stream().map(Messages::clip).toList()) + ")";
    }

    /** The last two dot-separated parts of {@code name} (e.g. {@code qkv.weight}), or null if it has fewer dots. */
    private static String suffix(String name) {
        int last = name.lastIndexOf('.');
        int before = last > 0 ? name.lastIndexOf('.', last - 1) : -1;
        return before >= 0 ? name.substring(before) : null;
    }

    /** Up to three names closest to {@code name} by edit distance, among those ending with {@code suffix} if given. */
    private List<String> closest(String name, String suffix) {
        final int limit = 3;
        final int maxLength = 1000; // longer names (hostile or not) are not compared, so this stays fast
        if (suffix == null && name.length() > maxLength) {
            return List.of();
        }
        List<String> best = new ArrayList<>();
        List<Integer> distances = new ArrayList<>();
        for (String candidate : names) {
            if (suffix != null && !candidate.endsWith(suffix)) {
                continue;
            }
            int bound = best.size() < limit ? Integer.MAX_VALUE : distances.get(best.size() - 1);
            int d;
            if (candidate.length() <= maxLength && name.length() <= maxLength) {
                if (Math.abs(candidate.length() - name.length()) >= bound) {
                    continue;
                }
                d = editDistance(candidate, name, bound);
                if (d >= bound) {
                    continue;
                }
            } else if (suffix != null && best.size() < limit) {
                d = Integer.MAX_VALUE - 1; // same suffix but too long to compare: ranked last
            } else {
                continue;
            }
            int at = 0;
            while (at < distances.size() && distances.get(at) <= d) {
                at++;
            }
            best.add(at, candidate);
            distances.add(at, d);
            if (best.size() > limit) {
                best.removeLast();
                distances.removeLast();
            }
        }
        return best;
    }

    /** Levenshtein distance, or at least {@code bound} once every path costs that much. */
    static int editDistance(String a, String b, int bound) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin >= bound) {
                return bound;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Unmaps the file; later reads fail with a {@link SafetensorsException}. Closing twice does nothing. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + names.size() + " tensors]";
    }
}
