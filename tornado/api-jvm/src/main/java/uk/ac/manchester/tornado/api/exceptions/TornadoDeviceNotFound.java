package uk.ac.manchester.tornado.api.exceptions;

/** TornadoVM's {@code TornadoDeviceNotFound}. */
public class TornadoDeviceNotFound extends TornadoRuntimeException {

    public TornadoDeviceNotFound(String message) {
        super(message);
    }

}
