package org.vitornado.runtime;

/**
 * How weights are stored on the device. Activations and sums are float32 either way.
 * <ul>
 * <li>{@code FP32}: as the checkpoint has them (after conversion to float32);</li>
 * <li>{@code FP16}: the linear layers' weights (most of a ViT's) rounded to IEEE binary16 and kept in
 * {@code HalfFloatArray}s, halving their memory and the bandwidth that reads them. For GPUs: PoCL, a CPU OpenCL
 * device, has no fp16.</li>
 * </ul>
 */
public enum Precision {
    FP32, FP16;

    /** {@code fp32} or {@code fp16}. */
    public static Precision parse(String name) {
        return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "fp32", "float32" -> FP32;
            case "fp16", "float16", "half" -> FP16;
            default -> throw new IllegalArgumentException("precision must be fp32 or fp16, got '" + name + "'");
        };
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
