package uk.ac.manchester.tornado.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Grids by task, keyed {@code "taskGraphName.taskName"}. */
public class GridScheduler {

    private final Map<String, WorkerGrid> grids = new LinkedHashMap<>();

    public GridScheduler() {
    }

    public GridScheduler(String taskName, WorkerGrid grid) {
        addWorkerGrid(taskName, grid);
    }

    public void addWorkerGrid(String taskName, WorkerGrid grid) {
        grids.put(taskName, grid);
    }

    public WorkerGrid get(String taskName) {
        return grids.get(taskName);
    }

    public boolean contains(String graphName, String taskName) {
        return grids.containsKey(graphName + "." + taskName);
    }

    public Set<String> keySet() {
        return grids.keySet();
    }

    @Override
    public String toString() {
        return "GridScheduler" + grids.keySet();
    }
}
