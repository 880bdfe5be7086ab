package org.vitornado.jvmapi;

/**
 * The JVM implementation of TornadoVM's API: its presence on the class path tells a program it runs without the
 * real TornadoVM. Holds the threads every KernelContext grid runs on ({@link JvmWorkers}); their number is the number
 * of available processors, or {@code -Dvitornado.jvm.threads=N}.
 */
public final class JvmTornado {

    public static final String THREADS_PROPERTY = "vitornado.jvm.threads";

    private static final JvmWorkers WORKERS = new JvmWorkers(threadCount());

    private JvmTornado() {
    }

    /** The threads KernelContext work-groups run on. */
    public static JvmWorkers workers() {
        return WORKERS;
    }

    /** Threads a grid runs on, the calling one included. */
    public static int threads() {
        return WORKERS.threads();
    }

    private static int threadCount() {
        int n = Runtime.getRuntime().availableProcessors();
        String configured = System.getProperty(THREADS_PROPERTY);
        if (configured != null) {
            try {
                n = Integer.parseInt(configured.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + THREADS_PROPERTY + " must be an integer, got '" + configured + "'");
            }
            if (n < 1) {
                throw new IllegalArgumentException("-D" + THREADS_PROPERTY + " must be >= 1, got " + n);
            }
        }
        return n;
    }
}
