package org.vitornado.weights;

import static org.vitornado.weights.Messages.quote;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * Parses and checks a safetensors JSON header in one streaming pass (gson's {@link JsonReader}, strict, with a
 * nesting limit), so that no tree is built from a hostile header: a list longer than allowed fails at its first
 * extra element, numbers are parsed from their text without {@code BigDecimal}, and duplicate names are caught.
 */
final class HeaderParser {

    /** Legitimate headers nest three deep (header, entry, shape); unknown entry fields may nest a little more. */
    static final int MAX_NESTING = 32;

    record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    }

    private final Path path;
    private final long dataStart;
    private final long dataBytes;
    private final Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    private Map<String, String> metadata = Map.of();

    private HeaderParser(Path path, long dataStart, long dataBytes) {
        this.path = path;
        this.dataStart = dataStart;
        this.dataBytes = dataBytes;
    }

    /**
     * @param dataStart absolute file offset of the data buffer
     * @param dataBytes size of the data buffer
     */
    static Header parse(Path path, String json, long dataStart, long dataBytes) throws SafetensorsException {
        HeaderParser p = new HeaderParser(path, dataStart, dataBytes);
        try {
            p.parseDocument(json);
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new SafetensorsException(path + ": header is not valid JSON (" + gsonMessage(e) + ")", e);
        } catch (StackOverflowError e) {
            // Not expected (the reader is iterative and nesting is limited), but never let it escape.
            throw new SafetensorsException(path + ": header is nested too deeply");
        }
        p.checkOverlaps();
        return new Header(Collections.unmodifiableMap(p.tensors), p.metadata);
    }

    private void parseDocument(String json) throws IOException {
        JsonReader r = new JsonReader(new StringReader(json));
        r.setStrictness(Strictness.STRICT);
        r.setNestingLimit(MAX_NESTING);
        JsonToken first = r.peek();
        if (first != JsonToken.BEGIN_OBJECT) {
            throw new SafetensorsException(path + ": header must be a JSON object, found " + describe(first));
        }
        r.beginObject();
        Set<String> seen = new HashSet<>();
        while (r.hasNext()) {
            String name = r.nextName();
            if (!seen.add(name)) {
                throw new SafetensorsException(path + ": tensor " + quote(name) + " is defined twice in the header");
            }
            if (name.equals("__metadata__")) {
                metadata = metadata(r);
            } else {
                tensors.put(name, tensor(r, name));
            }
        }
        r.endObject();
        JsonToken after = r.peek();
        if (after != JsonToken.END_DOCUMENT) {
            throw new SafetensorsException(path + ": header has data after its JSON object (" + describe(after) + ")");
        }
    }

    private Map<String, String> metadata(JsonReader r) throws IOException {
        JsonToken t = r.peek();
        if (t == JsonToken.NULL) { // what serde's Option<HashMap> accepts
            r.nextNull();
            return Map.of();
        }
        if (t != JsonToken.BEGIN_OBJECT) {
            throw new SafetensorsException(path + ": __metadata__ must be an object of strings, found " + describe(t));
        }
        Map<String, String> out = new LinkedHashMap<>();
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            JsonToken v = r.peek();
            if (v != JsonToken.STRING) {
                throw new SafetensorsException(path + ": __metadata__ value of " + quote(key) + " is " + describe(v) + ", not a string");
            }
            if (out.put(key, r.nextString()) != null) {
                throw new SafetensorsException(path + ": __metadata__ key " + quote(key) + " is defined twice");
            }
        }
        r.endObject();
        return Collections.unmodifiableMap(out);
    }

    private TensorInfo tensor(JsonReader r, String name) throws IOException {
        String where = path + ": tensor " + quote(name);
        JsonToken t = r.peek();
        if (t != JsonToken.BEGIN_OBJECT) {
            throw new SafetensorsException(where + ": entry must be an object with dtype, shape and data_offsets, found " + describe(t));
        }
        r.beginObject();
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        while (r.hasNext()) {
            String field = r.nextName();
            switch (field) {
                case "dtype" -> {
                    if (dtypeName != null) {
                        throw new SafetensorsException(where + ": dtype is given twice");
                    }
                    JsonToken v = r.peek();
                    if (v != JsonToken.STRING) {
                        throw new SafetensorsException(where + ": dtype must be a string, found " + describe(v));
                    }
                    dtypeName = r.nextString();
                }
                case "shape" -> {
                    if (shape != null) {
                        throw new SafetensorsException(where + ": shape is given twice");
                    }
                    shape = integers(r, where, "shape", SafetensorsFile.MAX_DIMS);
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw new SafetensorsException(where + ": data_offsets is given twice");
                    }
                    offsets = integers(r, where, "data_offsets", 2);
                    if (offsets.length != 2) {
                        throw new SafetensorsException(where + ": data_offsets must be 2 integers [begin, end], got " + offsets.length);
                    }
                }
                default -> skip(r); // the format's reference implementation ignores unknown fields too
            }
        }
        r.endObject();
        if (dtypeName == null) {
            throw new SafetensorsException(where + ": missing dtype");
        }
        Dtype dtype = Dtype.fromName(dtypeName);
        if (dtype == null) {
            throw new SafetensorsException(where + ": unknown dtype " + quote(dtypeName) + " (known: " + Arrays.toString(Dtype.values()) + ")");
        }
        if (shape == null) {
            throw new SafetensorsException(where + ": missing shape");
        }
        if (offsets == null) {
            throw new SafetensorsException(where + ": missing data_offsets");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new SafetensorsException(where + ": data_offsets [" + begin + ", " + end + "] are reversed (begin > end)");
        }
        if (end > dataBytes) {
            throw new SafetensorsException(where + ": data_offsets end " + end + " is past the end of the data buffer ("
                    + dataBytes + " bytes)");
        }
        long count = 1;
        long bytes;
        try {
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            bytes = Math.multiplyExact(count, dtype.bytes());
        } catch (ArithmeticException overflow) {
            throw new SafetensorsException(where + ": shape " + Arrays.toString(shape) + " of " + dtype
                    + " has more bytes than fit in 64 bits");
        }
        if (bytes != end - begin) {
            throw new SafetensorsException(where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, dataStart + begin, bytes, count);
    }

    /** A list of at most {@code max} non-negative 64-bit integers; fails at the first element beyond {@code max}. */
    private long[] integers(JsonReader r, String where, String key, int max) throws IOException {
        JsonToken t = r.peek();
        if (t != JsonToken.BEGIN_ARRAY) {
            throw new SafetensorsException(where + ": " + key + " must be a list of integers, found " + describe(t));
        }
        long[] out = new long[max];
        int n = 0;
        r.beginArray();
        while (r.hasNext()) {
            if (n == max) {
                throw new SafetensorsException(where + ": " + key + " has more than " + max + " entries");
            }
            JsonToken v = r.peek();
            if (v != JsonToken.NUMBER) {
                throw new SafetensorsException(where + ": " + key + "[" + n + "] must be a non-negative integer, found " + describe(v));
            }
            out[n] = nonNegativeLong(r.nextString(), where + ": " + key + "[" + n + "] = ");
            n++;
        }
        r.endArray();
        return Arrays.copyOf(out, n);
    }

    /** Parses the text of a JSON number that must be a plain non-negative integer fitting in a long. */
    static long nonNegativeLong(String text, String what) throws SafetensorsException {
        if (text.startsWith("-")) {
            throw new SafetensorsException(what + Messages.clip(text) + " is negative");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new SafetensorsException(what + Messages.clip(text) + " is not an integer");
            }
        }
        // 19 digits may still overflow; more always do (strict JSON has no leading zeros).
        if (text.isEmpty() || text.length() > 19) {
            throw new SafetensorsException(what + Messages.clip(text) + " does not fit in a signed 64-bit integer");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new SafetensorsException(what + Messages.clip(text) + " does not fit in a signed 64-bit integer");
        }
    }

    /** Skips one value iteratively; the reader's nesting limit still applies. */
    private static void skip(JsonReader r) throws IOException {
        int depth = 0;
        do {
            switch (r.peek()) {
                case BEGIN_ARRAY -> {
                    r.beginArray();
                    depth++;
                }
                case END_ARRAY -> {
                    r.endArray();
                    depth--;
                }
                case BEGIN_OBJECT -> {
                    r.beginObject();
                    depth++;
                }
                case END_OBJECT -> {
                    r.endObject();
                    depth--;
                }
                case NAME -> r.nextName();
                case END_DOCUMENT -> throw new IOException("unexpected end of header");
                default -> r.skipValue();
            }
        } while (depth > 0);
    }

    /** Tensors sorted by begin offset; each non-empty one must start at or after the furthest end before it. */
    private void checkOverlaps() throws SafetensorsException {
        List<TensorInfo> sorted = new ArrayList<>();
        for (TensorInfo t : tensors.values()) {
            if (t.length() > 0) {
                sorted.add(t);
            }
        }
        sorted.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        TensorInfo furthest = null;
        for (TensorInfo here : sorted) {
            if (furthest != null && here.offset() < furthest.offset() + furthest.length()) {
                throw new SafetensorsException(path + ": tensor " + quote(here.name()) + " " + range(here) + " overlaps tensor "
                        + quote(furthest.name()) + " " + range(furthest));
            }
            if (furthest == null || here.offset() + here.length() > furthest.offset() + furthest.length()) {
                furthest = here;
            }
        }
    }

    private String range(TensorInfo t) {
        long begin = t.offset() - dataStart;
        return "[" + begin + ", " + (begin + t.length()) + ")";
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case BEGIN_ARRAY -> "a list";
            case BEGIN_OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case END_DOCUMENT -> "the end of the header";
            default -> t.name();
        };
    }

    /** gson's message without its advice to parse leniently and its link, shortened. */
    private static String gsonMessage(Exception e) {
        String m = String.valueOf(e.getMessage());
        int see = m.indexOf("\nSee ");
        if (see >= 0) {
            m = m.substring(0, see);
        }
        String lenient = "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON";
        if (m.startsWith(lenient)) {
            m = "malformed JSON" + m.substring(lenient.length());
        }
        return Messages.clip(m, 400);
    }
}
