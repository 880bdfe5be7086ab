package org.vitornado.cli;

import java.util.Set;

import org.vitornado.api.DetectedObject;
import org.vitornado.api.Detections;
import org.vitornado.api.VisionModel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * Detections in COCO's results format, as {@code detect} writes them and the Spark job stores them: one object per
 * detection with {@code image_id}, {@code category_id}, {@code category_name}, {@code bbox} ({@code [x, y, width,
 * height]} in the image's pixels, rounded to 0.01), {@code score} (rounded to 1e-5) and, when asked and predicted,
 * the mask as COCO RLE ({@code segmentation}).
 */
public final class CocoResults {

    private CocoResults() {
    }

    /** The detections of the classes in {@code kept}; all of them when {@code kept} is null. */
    public static Detections keepClasses(Detections d, Set<Integer> kept) {
        if (kept == null) {
            return d;
        }
        return new Detections(d.source(), d.height(), d.width(), d.objects().stream().filter(o -> kept.contains(o.classId())).toList());
    }

    public static JsonArray of(VisionModel m, String imageId, Detections d, boolean masks) {
        JsonArray list = new JsonArray();
        for (DetectedObject o : d.objects()) {
            JsonObject r = new JsonObject();
            r.addProperty("image_id", imageId);
            r.addProperty("category_id", m.categoryId(o.classId()));
            r.addProperty("category_name", o.label());
            JsonArray bbox = new JsonArray();
            bbox.add(round(o.x0()));
            bbox.add(round(o.y0()));
            bbox.add(round(o.width()));
            bbox.add(round(o.height()));
            r.add("bbox", bbox);
            r.addProperty("score", Math.round(o.score() * 1e5) / 1e5);
            if (masks && o.mask() != null) {
                JsonObject seg = new JsonObject();
                JsonArray size = new JsonArray();
                size.add(d.height());
                size.add(d.width());
                seg.add("size", size);
                seg.addProperty("counts", o.mask().cocoRle());
                r.add("segmentation", seg);
            }
            list.add(r);
        }
        return list;
    }

    private static double round(float v) {
        return Math.round(v * 100) / 100.0;
    }
}
