package org.vitornado.runtime;

import java.util.Locale;

/**
 * Where kernels run. The same task graphs run on both: {@link #JVM} through the project's JVM implementation
 * of TornadoVM's API (all cores, plain JDK), {@link #TORNADO} through the real TornadoVM under its {@code tornado}
 * launcher (OpenCL/PTX devices). Which one a process has is decided by which API implementation is on its
 * class path; {@link #detect()} tells, and {@link #require(Backend)} fails clearly on a mismatch.
 */
public enum Backend {
    JVM,
    TORNADO;

    /** A class only our JVM implementation of the API has. */
    static final String JVM_IMPLEMENTATION_MARKER = "org.vitornado.jvmapi.JvmTornado";

    public static Backend parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "jvm" -> JVM;
            case "tornado", "tornadovm", "gpu" -> TORNADO;
            default -> throw new IllegalArgumentException("--backend: unknown backend '" + name + "' (expected jvm or tornado)");
        };
    }

    /** The backend whose API implementation this JVM loaded. */
    public static Backend detect() {
        try {
            Class.forName(JVM_IMPLEMENTATION_MARKER, false, Backend.class.getClassLoader());
            return JVM;
        } catch (ClassNotFoundException e) {
            return TORNADO;
        }
    }

    /** Checks that the requested backend is the one this process can run. */
    public static Backend require(Backend requested) {
        Backend present = detect();
        if (present != requested) {
            throw new IllegalStateException(switch (requested) {
                case TORNADO -> "--backend tornado needs the real TornadoVM: run under the `tornado` launcher (bin/vitornado does this when TornadoVM is installed)";
                case JVM -> "--backend jvm needs the JVM implementation of the TornadoVM API on the class path, but this process runs under the real TornadoVM; run with plain java (bin/vitornado --backend jvm)";
            });
        }
        return present;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
