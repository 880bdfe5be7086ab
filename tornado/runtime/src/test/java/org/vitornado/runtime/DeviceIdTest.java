package org.vitornado.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceIdTest {

    @Test
    void parsesTornadoVmsBackendColonDeviceAndABareIndex() {
        assertEquals(new DeviceId(0, 2), DeviceId.parse("2"));
        assertEquals(new DeviceId(1, 0), DeviceId.parse("1:0"));
        assertEquals("1:3", DeviceId.parse(" 1:3 ").toString());
        for (String bad : new String[] {"", "x", "1:", ":1", "1:2:3", "-1", "0:-2", "1.5", "99999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceId.parse(bad), bad);
            assertTrue(e.getMessage().contains("device"), e.getMessage());
        }
    }

    @Test
    void optionsReachTheDeviceTheyName() {
        Backend here = Backend.detect();
        assertTrue(new ExecutionOptions(here, DeviceId.DEFAULT, false).tornadoDevice() != null);
        // Neither our JVM API (one backend) nor TornadoVM on the test machine (OpenCL) has a backend 7.
        assertThrows(RuntimeException.class, () -> new ExecutionOptions(here, new DeviceId(7, 0), false).tornadoDevice());
    }
}
