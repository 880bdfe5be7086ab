package org.vitornado.runtime;

/**
 * A TornadoVM device as {@code tornado --devices} lists it: {@code backend:index}. TornadoVM numbers backends by
 * priority (OpenCL before PTX by default), so with both loaded a CUDA GPU through PTX is {@code 1:0}. On the JVM there
 * is one device, {@code 0:0}.
 *
 * @param backend TornadoVM backend index
 * @param index   device index within that backend
 */
public record DeviceId(int backend, int index) {

    /** Device 0 of backend 0: TornadoVM's default. */
    public static final DeviceId DEFAULT = new DeviceId(0, 0);

    public DeviceId {
        if (backend < 0 || backend > 64 || index < 0 || index > 1024) {
            throw new IllegalArgumentException("device " + backend + ":" + index + " is out of range (backend 0..64, device 0..1024)");
        }
    }

    /**
     * {@code N} (device N of backend 0) or {@code B:N}, as {@code tornado --devices} prints them; a malformed value is an
     * {@link IllegalArgumentException} whose message quotes it.
     */
    public static DeviceId parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        try {
            if (colon < 0) {
                return new DeviceId(0, Integer.parseInt(t));
            }
            return new DeviceId(Integer.parseInt(t.substring(0, colon)), Integer.parseInt(t.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a device: give N or BACKEND:N (see `tornado --devices`)");
        }
    }

    @Override
    public String toString() {
        return backend + ":" + index;
    }
}
