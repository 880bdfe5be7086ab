package uk.ac.manchester.tornado.api.math;

/**
 * Maths for kernels (TornadoVM's {@code TornadoMath}). TornadoVM maps these to the device's float and double
 * built-ins; on the JVM they delegate to {@link Math}, keeping float arguments in float where TornadoVM does.
 */
public class TornadoMath {

    public TornadoMath() {
    }

    public static float min(float a, float b) { return Math.min(a, b); }
    public static double min(double a, double b) { return Math.min(a, b); }
    public static long min(long a, long b) { return Math.min(a, b); }
    public static int min(int a, int b) { return Math.min(a, b); }
    public static short min(short a, short b) { return (short) Math.min(a, b); }
    public static byte min(byte a, byte b) { return (byte) Math.min(a, b); }

    public static double max(double a, double b) { return Math.max(a, b); }
    public static float max(float a, float b) { return Math.max(a, b); }
    public static long max(long a, long b) { return Math.max(a, b); }
    public static int max(int a, int b) { return Math.max(a, b); }
    public static short max(short a, short b) { return (short) Math.max(a, b); }
    public static byte max(byte a, byte b) { return (byte) Math.max(a, b); }

    public static float abs(float a) { return Math.abs(a); }
    public static double abs(double a) { return Math.abs(a); }
    public static long abs(long a) { return Math.abs(a); }
    public static int abs(int a) { return Math.abs(a); }
    public static short abs(short a) { return (short) Math.abs(a); }
    public static byte abs(byte a) { return (byte) Math.abs(a); }

    public static float exp(float a) { return (float) Math.exp(a); }
    public static double exp(double a) { return Math.exp(a); }
    public static float sqrt(float a) { return (float) Math.sqrt(a); }
    public static double sqrt(double a) { return Math.sqrt(a); }

    public static long clamp(long v, long lo, long hi) { return max(lo, min(hi, v)); }
    public static int clamp(int v, int lo, int hi) { return max(lo, min(hi, v)); }
    public static short clamp(short v, short lo, short hi) { return max(lo, min(hi, v)); }
    public static byte clamp(byte v, byte lo, byte hi) { return max(lo, min(hi, v)); }
    public static float clamp(float v, float lo, float hi) { return max(lo, min(hi, v)); }
    public static double clamp(double v, double lo, double hi) { return max(lo, min(hi, v)); }

    public static float floor(float a) { return (float) Math.floor(a); }
    public static double floor(double a) { return Math.floor(a); }
    public static float ceil(float a) { return (float) Math.ceil(a); }
    public static double ceil(double a) { return Math.ceil(a); }
    public static float fract(float a) { return a - floor(a); }
    public static double fract(double a) { return a - floor(a); }

    public static float log(float a) { return (float) Math.log(a); }
    public static double log(double a) { return Math.log(a); }
    public static float log2(float a) { return log(a) / log(2f); }
    public static double log2(double a) { return log(a) / log(2.0); }
    public static float pow(float a, float b) { return (float) Math.pow(a, b); }
    public static double pow(double a, double b) { return Math.pow(a, b); }

    public static float tanh(float a) { return (float) Math.tanh(a); }
    public static double tanh(double a) { return Math.tanh(a); }
    public static float atan(float a) { return (float) Math.atan(a); }
    public static double atan(double a) { return Math.atan(a); }
    public static float atan2(float a, float b) { return (float) Math.atan2(a, b); }
    public static double atan2(double a, double b) { return Math.atan2(a, b); }
    public static float tan(float a) { return (float) Math.tan(a); }
    public static double tan(double a) { return Math.tan(a); }
    public static float cos(float a) { return (float) Math.cos(a); }
    public static double cos(double a) { return Math.cos(a); }
    public static float sin(float a) { return (float) Math.sin(a); }
    public static double sin(double a) { return Math.sin(a); }
    public static float acos(float a) { return (float) Math.acos(a); }
    public static double acos(double a) { return Math.acos(a); }
    public static float asin(float a) { return (float) Math.asin(a); }
    public static double asin(double a) { return Math.asin(a); }
    public static float acosh(float a) { return (float) acosh((double) a); }
    public static double acosh(double a) { return Math.log(a + Math.sqrt(a * a - 1)); }
    public static float asinh(float a) { return (float) asinh((double) a); }
    public static double asinh(double a) { return Math.log(a + Math.sqrt(a * a + 1)); }
    public static float sinpi(float a) { return (float) Math.sin(a * Math.PI); }
    public static double sinpi(double a) { return Math.sin(a * Math.PI); }
    public static float cospi(float a) { return (float) Math.cos(a * Math.PI); }
    public static double cospi(double a) { return Math.cos(a * Math.PI); }
    public static float signum(float a) { return Math.signum(a); }
    public static double signum(double a) { return Math.signum(a); }
    public static float toRadians(float a) { return (float) Math.toRadians(a); }
    public static double toRadians(double a) { return Math.toRadians(a); }
    public static float floatPI() { return (float) Math.PI; }
    public static double PI() { return Math.PI; }
}
