package org.vitornado.jvmapi;

import java.util.concurrent.ForkJoinPool;

/**
 * The JVM implementation of TornadoVM's API: its presence on the class path tells a program it runs without the
 * real TornadoVM. Holds the thread pool every KernelContext grid runs on; its size is the number of available
 * processors, or {@code -Dvitornado.jvm.threads=N}.
 */
public final class JvmTornado {

    public static final String THREADS_PROPERTY = "vitornado.jvm.threads";

    private static final ForkJoinPool POOL = createPool();

    private JvmTornado() {
    }

    /** The pool KernelContext work-groups run on. */
    public static ForkJoinPool pool() {
        return POOL;
    }

    /** Worker threads of the pool. */
    public static int threads() {
        return POOL.getParallelism();
    }

    private static ForkJoinPool createPool() {
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
        ForkJoinPool.ForkJoinWorkerThreadFactory daemons = pool -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setDaemon(true);
            t.setName("vitornado-jvm-" + t.getPoolIndex());
            return t;
        };
        return new ForkJoinPool(n, daemons, null, false);
    }
}
