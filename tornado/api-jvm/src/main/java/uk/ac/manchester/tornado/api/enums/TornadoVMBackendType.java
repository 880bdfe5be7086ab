package uk.ac.manchester.tornado.api.enums;

/** TornadoVM backends; the JVM implementation reports {@link #JAVA}. */
public enum TornadoVMBackendType {
    OPENCL, METAL, PTX, CUDA, SPIRV, JAVA, VIRTUAL
}
