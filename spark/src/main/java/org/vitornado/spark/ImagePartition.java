package org.vitornado.spark;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.vitornado.api.RgbImage;
import org.vitornado.api.VisionModel;
import org.vitornado.model.io.ModelException;

/**
 * One Spark task: the files of a partition ({@code binaryFile} rows: path, content, ...) in, one result row per file
 * out. Files are hashed and decoded a batch at a time, as the iterator is consumed, so a partition of any size runs
 * in the memory of one batch; a file that cannot be decoded becomes a row with its error. The model is the
 * executor's ({@link ExecutorModels}), opened by the first task that has an image for it.
 */
final class ImagePartition implements MapPartitionsFunction<Row, Row> {

    private final ModelSpec spec;
    private final ImageTask task;
    private final Artifacts artifacts;

    ImagePartition(ModelSpec spec, ImageTask task, Artifacts artifacts) {
        this.spec = spec;
        this.task = task;
        this.artifacts = artifacts;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> files) {
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && files.hasNext()) {
                    runBatch(files, ready);
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    /** Reads up to a batch of files, runs the decoded ones, and queues a row for each file in order. */
    private void runBatch(Iterator<Row> files, ArrayDeque<Row> out) {
        Row[] rows = new Row[task.batch()];
        List<DecodedImage> decoded = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        int n = 0;
        while (n < rows.length && files.hasNext()) {
            Row file = files.next();
            String path = file.getAs("path");
            byte[] content = file.getAs("content");
            String hash = sha256(content);
            try {
                decoded.add(new DecodedImage(path, hash, RgbImage.decode(content, path)));
                slots.add(n);
            } catch (ModelException e) {
                rows[n] = ResultSchema.failure(path, hash, spec.model(), e.getMessage(), task.columns().size());
            }
            n++;
        }
        if (!decoded.isEmpty()) {
            VisionModel model = ExecutorModels.get(spec, task.prepareModel());
            List<Object[]> results;
            try {
                results = task.run(model, decoded, artifacts);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            for (int i = 0; i < decoded.size(); i++) {
                rows[slots.get(i)] = ResultSchema.result(decoded.get(i), spec.model(), results.get(i));
            }
        }
        for (int i = 0; i < n; i++) {
            out.add(rows[i]);
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
