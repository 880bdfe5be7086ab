package uk.ac.manchester.tornado.api.types;

/** An IEEE 754 binary16 value (TornadoVM's {@code HalfFloat}); arithmetic rounds through float32. */
public class HalfFloat {

    private final short bits;

    public HalfFloat(float value) {
        this.bits = Float.floatToFloat16(value);
    }

    public HalfFloat(short bits) {
        this.bits = bits;
    }

    public static HalfFloat add(HalfFloat a, HalfFloat b) {
        return new HalfFloat(a.getFloat32() + b.getFloat32());
    }

    public static HalfFloat sub(HalfFloat a, HalfFloat b) {
        return new HalfFloat(a.getFloat32() - b.getFloat32());
    }

    public static HalfFloat mult(HalfFloat a, HalfFloat b) {
        return new HalfFloat(a.getFloat32() * b.getFloat32());
    }

    public static HalfFloat div(HalfFloat a, HalfFloat b) {
        return new HalfFloat(a.getFloat32() / b.getFloat32());
    }

    public short getHalfFloatValue() {
        return bits;
    }

    public float getFloat32() {
        return Float.float16ToFloat(bits);
    }

    @Override
    public String toString() {
        return Float.toString(getFloat32());
    }
}
