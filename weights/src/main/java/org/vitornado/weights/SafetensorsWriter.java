package org.vitornado.weights;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonWriter;

/**
 * Writes float32 tensors and string metadata to a safetensors file: tensors in the order they were added, contiguous,
 * the JSON header padded with spaces so that the data starts at a multiple of 8 bytes.
 *
 * <p>An existing file is never replaced unless {@link #write(Path, boolean)} is told to; then the new file is written
 * next to it and moved over it, so a reader that has the old one mapped keeps seeing the old data. Values are not
 * copied by {@code add}: they are read when {@code write} runs.
 */
public final class SafetensorsWriter {

    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int BUFFER_BYTES = 1 << 20;

    /** Exactly one of {@code array} and {@code segment} is set. */
    private record Entry(float[] array, MemorySegment segment, long[] shape, long count) {
    }

    private final Map<String, Entry> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /**
     * Adds tensor {@code name} of {@code shape} (none for a 0-dim scalar) with {@code values} in row-major order.
     *
     * @throws IllegalArgumentException if the name is {@code __metadata__} or already added, a dimension is negative,
     *                                  there are more than {@link SafetensorsFile#MAX_DIMS}, or the value count differs
     */
    public SafetensorsWriter add(String name, float[] values, long... shape) {
        Objects.requireNonNull(values, "values");
        long count = check(name, shape);
        if (count != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " needs " + count
                    + " values, got " + values.length);
        }
        tensors.put(name, new Entry(values, null, shape.clone(), count));
        return this;
    }

    /**
     * Adds tensor {@code name} of {@code shape} from {@code values}, which holds exactly its elements as little-endian
     * float32 (the layout {@link SafetensorsFile#readFloats(String, MemorySegment)} writes; e.g. an off-heap array).
     */
    public SafetensorsWriter add(String name, MemorySegment values, long... shape) {
        Objects.requireNonNull(values, "values");
        long count = check(name, shape);
        if (values.byteSize() != count * Float.BYTES) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " needs " + count * Float.BYTES
                    + " bytes, the segment has " + values.byteSize());
        }
        tensors.put(name, new Entry(null, values, shape.clone(), count));
        return this;
    }

    private long check(String name, long[] shape) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        if (name.equals("__metadata__") || tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is reserved or already added");
        }
        if (shape.length > SafetensorsFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "': " + shape.length + " dimensions, at most "
                    + SafetensorsFile.MAX_DIMS);
        }
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                count = Math.multiplyExact(count, d);
                Math.multiplyExact(count, Float.BYTES);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " is too large");
            }
        }
        return count;
    }

    /** Adds a {@code __metadata__} entry (replacing an earlier value for {@code key}). */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Adds every entry of {@code entries} to {@code __metadata__}. */
    public SafetensorsWriter metadata(Map<String, String> entries) {
        entries.forEach(this::metadata);
        return this;
    }

    /**
     * Writes the file.
     *
     * @param overwrite whether an existing file may be replaced
     * @throws FileAlreadyExistsException naming the file, if it exists and {@code overwrite} is false
     * @throws IOException                if it cannot be written (a partial file is removed)
     */
    public void write(Path path, boolean overwrite) throws IOException {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            throw new IOException(path + ": is a directory");
        }
        if (!overwrite && Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(path.toString(), null, "refusing to overwrite an existing file");
        }
        byte[] header = header();
        if (!overwrite) {
            FileChannel channel;
            try {
                channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) { // appeared since the check
                throw new FileAlreadyExistsException(path.toString(), null, "refusing to overwrite an existing file");
            }
            writeOrDelete(path, channel, header);
            return;
        }
        Path dir = path.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + path.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        writeOrDelete(temp, FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), header);
        try {
            try {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    private void writeOrDelete(Path target, FileChannel channel, byte[] header) throws IOException {
        boolean done = false;
        try (channel; Arena arena = Arena.ofConfined()) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(channel, length);
            writeFully(channel, ByteBuffer.wrap(header));
            MemorySegment buffer = arena.allocate(BUFFER_BYTES, 8);
            int perBuffer = BUFFER_BYTES / Float.BYTES;
            for (Entry e : tensors.values()) {
                for (long i = 0; i < e.count(); i += perBuffer) {
                    int n = (int) Math.min(perBuffer, e.count() - i);
                    if (e.array() != null) {
                        MemorySegment.copy(e.array(), (int) i, buffer, LE_FLOAT, 0, n);
                    } else {
                        MemorySegment.copy(e.segment(), i * Float.BYTES, buffer, 0, (long) n * Float.BYTES);
                    }
                    writeFully(channel, buffer.asSlice(0, (long) n * Float.BYTES).asByteBuffer());
                }
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(target);
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** The JSON header, padded with spaces so that 8 + its length is a multiple of 8. */
    private byte[] header() throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            json.setStrictness(Strictness.STRICT);
            json.setHtmlSafe(false);
            json.beginObject();
            if (!metadata.isEmpty()) {
                json.name("__metadata__").beginObject();
                for (var m : metadata.entrySet()) {
                    json.name(m.getKey()).value(m.getValue());
                }
                json.endObject();
            }
            long offset = 0;
            for (var e : tensors.entrySet()) {
                json.name(e.getKey()).beginObject();
                json.name("dtype").value("F32");
                json.name("shape").beginArray();
                for (long d : e.getValue().shape()) {
                    json.value(d);
                }
                json.endArray();
                long end = Math.addExact(offset, e.getValue().count() * Float.BYTES);
                json.name("data_offsets").beginArray().value(offset).value(end).endArray();
                json.endObject();
                offset = end;
            }
            json.endObject();
        }
        byte[] bytes;
        try { // strict: a lone surrogate in a name must not silently become '?'
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(text.getBuffer()));
            bytes = Arrays.copyOf(encoded.array(), encoded.limit());
        } catch (CharacterCodingException e) {
            throw new IOException("a tensor name or metadata string is not valid Unicode (lone surrogate)", e);
        }
        if (bytes.length > SafetensorsFile.MAX_HEADER_BYTES - 8) {
            throw new IOException("header of " + bytes.length + " bytes is larger than readers accept");
        }
        int padded = (bytes.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(bytes, padded);
        Arrays.fill(out, bytes.length, padded, (byte) ' ');
        return out;
    }
}
