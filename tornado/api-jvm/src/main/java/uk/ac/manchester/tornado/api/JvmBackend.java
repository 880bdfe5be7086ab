package uk.ac.manchester.tornado.api;

import java.util.List;

import org.vitornado.jvmapi.JvmTornado;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.exceptions.TornadoDeviceNotFound;

/** The JVM "backend": one CPU device, the thread pool of {@link JvmTornado}. */
final class JvmBackend implements TornadoBackend {

    static final JvmBackend INSTANCE = new JvmBackend();
    static final TornadoDevice DEVICE = new JvmDevice();

    @Override
    public TornadoDevice getDefaultDevice() {
        return DEVICE;
    }

    @Override
    public void setDefaultDevice(int index) {
        getDevice(index);
    }

    @Override
    public int getNumDevices() {
        return 1;
    }

    @Override
    public TornadoDevice getDevice(int index) {
        if (index != 0) {
            throw new TornadoDeviceNotFound("device " + index + " not found: the JVM backend has one device (0)");
        }
        return DEVICE;
    }

    @Override
    public List<TornadoDevice> getAllDevices() {
        return List.of(DEVICE);
    }

    @Override
    public TornadoDeviceType getTypeDefaultDevice() {
        return TornadoDeviceType.CPU;
    }

    @Override
    public String getName() {
        return "JVM";
    }

    @Override
    public int getNumPlatforms() {
        return 1;
    }

    @Override
    public TornadoVMBackendType getBackendType() {
        return TornadoVMBackendType.JAVA;
    }

    /** The JVM's one device: all cores of this machine. */
    private static final class JvmDevice implements TornadoDevice {
        @Override
        public String getDeviceName() {
            return "JVM (" + JvmTornado.threads() + " threads)";
        }

        @Override
        public String getDescription() {
            return "TornadoVM API on the JVM: KernelContext grids on " + JvmTornado.threads() + " threads, "
                    + System.getProperty("java.vm.name") + " " + System.getProperty("java.version");
        }

        @Override
        public String getPlatformName() {
            return "JVM";
        }

        @Override
        public TornadoDeviceType getDeviceType() {
            return TornadoDeviceType.CPU;
        }

        @Override
        public long getMaxAllocMemory() {
            return Long.MAX_VALUE;
        }

        @Override
        public long getMaxGlobalMemory() {
            return Long.MAX_VALUE;
        }

        @Override
        public long getDeviceLocalMemorySize() {
            return Long.MAX_VALUE;
        }

        /** Work-groups run as Java threads (or one virtual thread per work-item when they use barriers): no hardware limit. */
        @Override
        public long[] getDeviceMaxWorkgroupDimensions() {
            return new long[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        }

        @Override
        public int getBackendIndex() {
            return 0;
        }

        @Override
        public TornadoVMBackendType getTornadoVMBackend() {
            return TornadoVMBackendType.JAVA;
        }

        @Override
        public String toString() {
            return getDeviceName();
        }
    }
}
