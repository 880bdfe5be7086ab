package uk.ac.manchester.tornado.api.common;

import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

/** A device a plan can run on (the part of TornadoVM's {@code TornadoDevice} a program uses to list and pick devices). */
public interface TornadoDevice {

    String getDeviceName();

    String getDescription();

    String getPlatformName();

    TornadoDeviceType getDeviceType();

    long getMaxAllocMemory();

    long getMaxGlobalMemory();

    long getDeviceLocalMemorySize();

    long[] getDeviceMaxWorkgroupDimensions();

    int getBackendIndex();

    TornadoVMBackendType getTornadoVMBackend();

    default int getAvailableProcessors() {
        return Runtime.getRuntime().availableProcessors();
    }
}
