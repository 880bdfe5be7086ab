package uk.ac.manchester.tornado.api;

import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;

/** The backends and devices this runtime has. */
public class TornadoDeviceMap {

    public TornadoDeviceMap() {
    }

    public int getNumBackends() {
        return 1;
    }

    public List<TornadoBackend> getAllBackends() {
        return List.of(JvmBackend.INSTANCE);
    }

    public List<TornadoBackend> getBackendsWithPredicate(Predicate<? super TornadoBackend> predicate) {
        return getAllBackends().stream().filter(predicate).toList();
    }

    public List<TornadoBackend> getBackendsWithDevicePredicate(Predicate<? super TornadoDevice> predicate) {
        return getAllBackends().stream().filter(b -> b.getAllDevices().stream().anyMatch(predicate)).toList();
    }

    public Stream<TornadoDevice> getDevicesByName(String name) {
        return devices().filter(d -> d.getDeviceName().contains(name));
    }

    public Stream<TornadoDevice> getDevicesByType(TornadoDeviceType type) {
        return devices().filter(d -> d.getDeviceType() == type);
    }

    private Stream<TornadoDevice> devices() {
        return getAllBackends().stream().flatMap(b -> b.getAllDevices().stream());
    }
}
