package uk.ac.manchester.tornado.api;

import java.util.List;

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
}
