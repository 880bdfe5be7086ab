package uk.ac.manchester.tornado.api.enums;

/** Kinds of TornadoVM devices. */
public enum TornadoDeviceType {
    UNKNOWN, DEFAULT, CPU, GPU, FPGA, ACCELERATOR, CUSTOM, ALL
}
