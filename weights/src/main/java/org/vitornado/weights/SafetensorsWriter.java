package org.vitornado.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * Writes float32 tensors to a safetensors file, in the order they were added, header padded to 8 bytes.
 * An existing file is never replaced unless {@link #write(Path, boolean)} is told to.
 */
public final class SafetensorsWriter {

    private record Entry(float[] values, long[] shape) {
    }

    private final Map<String, Entry> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter add(String name, float[] values, long... shape) {
        long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (n != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + values.length);
        }
        if (name.equals("__metadata__") || tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is reserved or already added");
        }
        tensors.put(name, new Entry(values, shape.clone()));
        return this;
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Writes the file; fails with {@link FileAlreadyExistsException} if it exists and {@code overwrite} is false. */
    public void write(Path path, boolean overwrite) throws IOException {
        if (!overwrite && Files.exists(path)) {
            throw new FileAlreadyExistsException(path.toString(), null, "refusing to overwrite an existing file");
        }
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += (long) e.getValue().values().length * Float.BYTES;
            offsets.add(offset);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        StandardOpenOption[] options = overwrite
                ? new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE}
                : new StandardOpenOption[] {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE};
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path, options), 1 << 16)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (Entry e : tensors.values()) {
                ByteBuffer buf = ByteBuffer.allocate(e.values().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(e.values());
                out.write(buf.array());
            }
        }
    }
}
