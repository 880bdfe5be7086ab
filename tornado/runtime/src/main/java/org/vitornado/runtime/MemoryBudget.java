package org.vitornado.runtime;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;

import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * How much array memory a plan may still take, asked before it allocates. Arrays live off the Java heap (TornadoVM's
 * native arrays), so the JVM's direct-memory limit bounds them ({@code -XX:MaxDirectMemorySize}, by default the
 * maximum heap); on a TornadoVM device, its global memory and largest allocation bound them as well.
 *
 * @param freeBytes    off-heap bytes still free in this JVM, or on the device if that is less
 * @param largestArray the largest single array the device allocates
 * @param limitFlag    what to raise to get more ({@code -XX:MaxDirectMemorySize=...} or the device)
 */
public record MemoryBudget(long freeBytes, long largestArray, String limitFlag) {

    /**
     * A cap on array memory below what the JVM allows, for a process that shares its machine: bytes, or with a
     * {@code k}, {@code m} or {@code g} suffix ({@code -Dvitornado.maxArrayMemory=2g}).
     */
    public static final String LIMIT_PROPERTY = "vitornado.maxArrayMemory";

    /** The budget of the backend and device {@code options} select. */
    public static MemoryBudget of(ExecutionOptions options) {
        long offHeap = maxDirectMemory() - directMemoryUsed();
        long free = offHeap;
        long largest = Long.MAX_VALUE;
        String flag = "give the JVM more with VITORNADO_JAVA_OPTS=-XX:MaxDirectMemorySize=...";
        String cap = System.getProperty(LIMIT_PROPERTY);
        if (cap != null && !cap.isBlank()) {
            long limit = parseBytes(cap);
            if (limit < free) {
                free = limit;
                flag = "raise -D" + LIMIT_PROPERTY + "=" + cap;
            }
        }
        if (options != null && options.backend() == Backend.TORNADO) {
            Backend.require(options.backend());
            TornadoDevice d = options.tornadoDevice();
            if (d.getMaxGlobalMemory() > 0 && d.getMaxGlobalMemory() < free) {
                free = d.getMaxGlobalMemory();
                flag = "the device " + d.getDeviceName() + " has " + gigabytes(d.getMaxGlobalMemory()) + " of global memory";
            }
            if (d.getMaxAllocMemory() > 0) {
                largest = d.getMaxAllocMemory();
            }
        }
        return new MemoryBudget(Math.max(0, free), largest, flag);
    }

    /** {@code 2g}, {@code 512m}, {@code 1048576}. */
    static long parseBytes(String spec) {
        String s = spec.strip().toLowerCase(java.util.Locale.ROOT);
        long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("-D" + LIMIT_PROPERTY + "=" + spec + ": expected bytes, e.g. 2g or 512m");
        }
    }

    /** {@code -XX:MaxDirectMemorySize}, or the JVM's default for it: the maximum heap. */
    static long maxDirectMemory() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long v = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
            if (v > 0) {
                return v;
            }
        } catch (RuntimeException e) {
            // Not a HotSpot JVM: fall back to the default rule.
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** Direct memory in use: native segments and direct buffers reserve from the same pool. */
    static long directMemoryUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    /** {@code 6.3 GB}. */
    public static String gigabytes(long bytes) {
        return bytes >= 1e9 ? String.format("%.1f GB", bytes / 1e9) : String.format("%.0f MB", Math.ceil(bytes / 1e6));
    }
}
