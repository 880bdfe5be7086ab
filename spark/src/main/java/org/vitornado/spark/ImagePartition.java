package org.vitornado.spark;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.vitornado.api.RgbImage;
import org.vitornado.api.VisionModel;
import org.vitornado.model.io.ModelException;
import org.vitornado.spark.ImageListing.ImageFile;

/**
 * One Spark task: a slice of the listed files in, one result row per file out. Files are read, hashed and decoded a
 * batch at a time, as the iterator is consumed, so a task of any size runs in the memory of one batch; a file that
 * cannot be read or decoded becomes a row with its error. The model is the executor's ({@link ExecutorModels}),
 * opened by the first task that has an image for it.
 */
final class ImagePartition implements FlatMapFunction<Iterator<ImageFile>, Row> {

    private final ModelSpec spec;
    private final ImageTask task;
    private final Artifacts artifacts;
    private final ExecutorFiles files;

    ImagePartition(ModelSpec spec, ImageTask task, Artifacts artifacts, ExecutorFiles files) {
        this.spec = spec;
        this.task = task;
        this.artifacts = artifacts;
        this.files = files;
    }

    @Override
    public Iterator<Row> call(Iterator<ImageFile> listed) {
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && listed.hasNext()) {
                    runBatch(listed, ready);
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
    private void runBatch(Iterator<ImageFile> listed, ArrayDeque<Row> out) {
        Row[] rows = new Row[task.batch()];
        List<DecodedImage> decoded = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        int n = 0;
        while (n < rows.length && listed.hasNext()) {
            ImageFile file = listed.next();
            String hash = null;
            try {
                byte[] content = files.read(file.path());
                hash = sha256(content);
                decoded.add(new DecodedImage(file.path(), hash, RgbImage.decode(content, file.path())));
                slots.add(n);
            } catch (ModelException e) {
                rows[n] = ResultSchema.failure(file.path(), hash, spec.model(), e.getMessage(), task.columns().size());
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
