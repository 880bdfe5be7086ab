package org.vitornado.model.source;

import java.util.List;

import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.detection.MaskRcnnConfig;
import org.vitornado.model.detr.DetrConfig;
import org.vitornado.model.segmentation.SegformerConfig;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.model.vitdet.VitDetConfig;

/**
 * Built-in architectures that {@code --model} can name instead of a checkpoint, with random weights: for
 * {@code plan}, {@code info} and {@code bench} on a production-size model without a download. Names are timm's and
 * detectron2's where they have one.
 */
public final class Presets {

    /** One line for help texts and "no such file" errors. */
    public static final String SUMMARY = "timm ViTs vit_{tiny,small,base,large,huge}_patch<P>_<size> (e.g. vit_base_patch16_224), "
            + "detectron2 ViTDet backbones vitdet_b, vitdet_l, vitdet_h (1024x1024), ViTDet Mask R-CNN detectors mask_rcnn_vitdet_b, "
            + "mask_rcnn_vitdet_l, mask_rcnn_vitdet_h (COCO, 1024x1024), DETR detr_resnet50, detr_resnet101 (COCO, 800x1333), "
            + "timm hybrid ViTs vit_small_r26_s32_<size>, vit_base_r26_s32_<size>, vit_base_r50_s16_<size>, vit_large_r50_s32_<size> (e.g. vit_base_r50_s16_384), "
            + "SegFormer segformer_b0 (ADE20K, 512x512)";

    /** The presets {@code bench} and the forward tests measure. */
    public static final List<String> MEASURED = List.of("vit_small_patch16_224", "vit_base_patch16_224", "vit_large_patch16_224", "vitdet_b",
            "segformer_b0");

    private Presets() {
    }

    /** The ViT preset {@code name}, or {@code null}. */
    public static VitConfig vit(String name) {
        return VitConfigReader.timmPreset(name);
    }

    /** The backbone preset {@code name}, or {@code null}. */
    public static Backbone backbone(String name) {
        return VitDetConfig.preset(name);
    }

    /** The segmenter preset {@code name}, or {@code null}. */
    public static SegmentationModel segmenter(String name) {
        return name.equals("segformer_b0") ? SegformerConfig.b0(150) : null;
    }

    /** The detector preset {@code name}, or {@code null}. */
    public static MaskRcnnConfig detector(String name) {
        return MaskRcnnConfig.preset(name);
    }

    /** The DETR preset {@code name} ({@code detr_resnet50}, {@code detr_resnet101}), or {@code null}. */
    public static DetrConfig detr(String name) {
        return DetrConfig.preset(name);
    }

    public static boolean exists(String name) {
        return detr(name) != null || vit(name) != null || backbone(name) != null || segmenter(name) != null || detector(name) != null;
    }
}
