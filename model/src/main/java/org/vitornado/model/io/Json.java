package org.vitornado.model.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/** Small typed accessors over gson's tree, with errors that name the file and the key. */
public final class Json {

    /** Config files are small; anything bigger than this is not a config. */
    private static final long MAX_CONFIG_BYTES = 16L << 20;

    private Json() {
    }

    public static JsonObject readObject(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_CONFIG_BYTES) {
                throw new ModelException(file + ": " + size + " bytes is too large for a JSON config");
            }
            JsonElement root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) {
                throw new ModelException(file + ": expected a JSON object at the top level");
            }
            return root.getAsJsonObject();
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            if (e instanceof ModelException me) {
                throw me;
            }
            throw new ModelException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    /** A JSON object, or {@code null} for a missing key or JSON null. */
    public static JsonObject object(JsonObject o, String key, Path file) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw new ModelException(file + ": '" + key + "' must be an object, got " + e);
        }
        return e.getAsJsonObject();
    }

    public static boolean has(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && !e.isJsonNull();
    }

    public static int integer(JsonObject o, String key, int fallback, Path file) {
        if (!has(o, key)) {
            return fallback;
        }
        JsonElement e = o.get(key);
        try {
            double d = e.getAsDouble();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) d;
        } catch (RuntimeException ex) {
            throw new ModelException(file + ": '" + key + "' must be an integer, got " + e);
        }
    }

    public static double number(JsonObject o, String key, double fallback, Path file) {
        if (!has(o, key)) {
            return fallback;
        }
        JsonElement e = o.get(key);
        if (!(e instanceof JsonPrimitive p) || !p.isNumber()) {
            throw new ModelException(file + ": '" + key + "' must be a number, got " + e);
        }
        return p.getAsDouble();
    }

    public static boolean bool(JsonObject o, String key, boolean fallback, Path file) {
        if (!has(o, key)) {
            return fallback;
        }
        JsonElement e = o.get(key);
        if (!(e instanceof JsonPrimitive p) || !p.isBoolean()) {
            throw new ModelException(file + ": '" + key + "' must be true or false, got " + e);
        }
        return p.getAsBoolean();
    }

    public static String string(JsonObject o, String key, String fallback, Path file) {
        if (!has(o, key)) {
            return fallback;
        }
        JsonElement e = o.get(key);
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw new ModelException(file + ": '" + key + "' must be a string, got " + e);
        }
        return p.getAsString();
    }

    /** An int pair given as a number or a two-element list (timm's {@code img_size}). */
    public static int[] pair(JsonObject o, String key, int fallback, Path file) {
        if (!has(o, key)) {
            return new int[] {fallback, fallback};
        }
        JsonElement e = o.get(key);
        if (e.isJsonArray() && e.getAsJsonArray().size() == 2) {
            JsonObject tmp = new JsonObject();
            tmp.add("h", e.getAsJsonArray().get(0));
            tmp.add("w", e.getAsJsonArray().get(1));
            return new int[] {integer(tmp, "h", 0, file), integer(tmp, "w", 0, file)};
        }
        if (e.isJsonObject() && e.getAsJsonObject().has("tuple")) {
            JsonObject tuple = new JsonObject();
            tuple.add(key, e.getAsJsonObject().get("tuple"));
            return pair(tuple, key, fallback, file);
        }
        int v = integer(o, key, fallback, file);
        return new int[] {v, v};
    }

    public static float[] floats(JsonObject o, String key, float[] fallback, Path file) {
        if (!has(o, key)) {
            return fallback;
        }
        JsonElement e = o.get(key);
        if (!e.isJsonArray()) {
            throw new ModelException(file + ": '" + key + "' must be a list of numbers, got " + e);
        }
        float[] out = new float[e.getAsJsonArray().size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement v = e.getAsJsonArray().get(i);
            if (!(v instanceof JsonPrimitive p) || !p.isNumber()) {
                throw new ModelException(file + ": '" + key + "' must be a list of numbers, got " + e);
            }
            out[i] = p.getAsFloat();
        }
        return out;
    }
}
