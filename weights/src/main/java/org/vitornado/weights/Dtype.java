package org.vitornado.weights;

/** Element types of the safetensors format, with their sizes in bytes. */
public enum Dtype {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1),
    U16(2), U32(4), U64(8), F8_E4M3(1), F8_E5M2(1);

    private final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The dtype spelled {@code name} in a header (case-sensitive, e.g. {@code "BF16"}), or null if there is none. */
    public static Dtype fromName(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** Whether {@link SafetensorsFile#readFloats(String)} and {@link SafetensorsFile#readHalfs} convert this type. */
    public boolean isFloat() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** Whether {@link SafetensorsFile#readLongs} converts this type exactly (every integer type but U64, and BOOL). */
    public boolean isInteger() {
        return this == I64 || this == I32 || this == I16 || this == I8 || this == U32 || this == U16 || this == U8 || this == BOOL;
    }
}
