package uk.ac.manchester.tornado.api;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** A frozen task graph, what an execution plan runs. */
public class ImmutableTaskGraph {

    final String name;
    final List<JvmTask> tasks;
    final List<JvmTransfer> transfers;

    ImmutableTaskGraph(String name, List<JvmTask> tasks, List<JvmTransfer> transfers) {
        this.name = name;
        this.tasks = tasks;
        this.transfers = transfers;
    }

    /**
     * What stays on the device after this graph runs, for the next graph to consume: what it persists and what it
     * consumed itself. Everything else TornadoVM releases at the end of the graph.
     */
    Set<Object> keptOnDevice() {
        Set<Object> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (JvmTransfer t : transfers) {
            if (t.kind() == JvmTransfer.Kind.PERSIST || t.kind() == JvmTransfer.Kind.CONSUME) {
                kept.addAll(List.of(t.objects()));
            }
        }
        return kept;
    }
}
