package org.vitornado.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

import org.apache.spark.sql.types.StructField;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;

/**
 * What one command does to a batch of decoded images on an executor: {@code classify}, {@code segment} or
 * {@code detect}, with the command's options. Shipped to every task, so it holds only serialisable settings.
 */
interface ImageTask extends Serializable {

    Task task();

    /** The columns this task adds after {@link ResultSchema}'s common ones. */
    List<StructField> columns();

    /** Images run together. */
    int batch();

    /** Whether the model's plan is compiled when it opens (not for sliding windows, whose size varies). */
    boolean prepareModel();

    /** The task's column values for each image, in order; masks and overlays go to {@code artifacts}. */
    List<Object[]> run(VisionModel model, List<DecodedImage> images, Artifacts artifacts) throws IOException;
}
