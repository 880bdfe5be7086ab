package org.vitornado.jvmapi;

/**
 * The JVM implementation of TornadoVM's API: its presence on the class path tells a program it runs without the
 * real TornadoVM. Holds the threads every KernelContext grid runs on ({@link JvmWorkers}); their number is the number
 * of available processors, or {@code -Dvitornado.jvm.threads=N}.
 */
public final class JvmTornado {

    public static final String THREADS_PROPERTY = "vitornado.jvm.threads";
    static final int MAX_THREADS = 1024;

    /** Why {@code -Dvitornado.jvm.threads} is unusable, or null: thrown on first use, not from class initialisation. */
    private static final String INVALID_THREADS = invalidThreads();
    private static final JvmWorkers WORKERS = INVALID_THREADS == null ? new JvmWorkers(threadCount()) : null;

    private JvmTornado() {
    }

    /** The threads KernelContext work-groups run on. */
    public static JvmWorkers workers() {
        if (WORKERS == null) {
            // A plain exception, so a command line reports it in one line (an error in a static initialiser would
            // surface as ExceptionInInitializerError, then NoClassDefFoundError on every later use).
            throw new IllegalArgumentException(INVALID_THREADS);
        }
        return WORKERS;
    }

    /** Threads a grid runs on, the calling one included. */
    public static int threads() {
        return workers().threads();
    }

    private static int threadCount() {
        String configured = System.getProperty(THREADS_PROPERTY);
        return configured == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(configured.trim());
    }

    private static String invalidThreads() {
        String configured = System.getProperty(THREADS_PROPERTY);
        if (configured == null) {
            return null;
        }
        int n;
        try {
            n = Integer.parseInt(configured.trim());
        } catch (NumberFormatException e) {
            return "-D" + THREADS_PROPERTY + " must be an integer, got '" + configured + "'";
        }
        // Each thread beyond the cores only spins and competes; thousands would exhaust the process.
        return n < 1 || n > MAX_THREADS ? "-D" + THREADS_PROPERTY + " must be between 1 and " + MAX_THREADS + ", got " + n : null;
    }
}
