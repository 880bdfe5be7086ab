package org.vitornado.runtime.jvm;

import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** What the JVM kernels share: the SIMD species (the widest this CPU has) and the byte order of off-heap arrays. */
final class JvmVectors {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private JvmVectors() {
    }
}
