#!/usr/bin/env python3
"""Converts a facebookresearch/detr checkpoint to a vitornado model directory: DIR/model.safetensors + DIR/config.json.

    python3 tools/convert_detr.py detr-r50-e632da11.pth models/detr-resnet-50
    python3 tools/convert_detr.py my_detr.pth models/my-detr --labels cat,dog,bird --heads 8

Input: a .pth as DETR's hubconf.py downloads it (detr-r50-e632da11.pth, detr-r101-2c7b67e5.pth) or DETR's
main.py saves it: {"model": state_dict, ...}, or a bare state_dict. Needs torch; loaded with weights_only=True
unless --unsafe-pickle (DETR's released files also hold an argparse Namespace: rerun with --unsafe-pickle for a
file you trust). The DC5 (dilated) and panoptic models are refused: vitornado runs neither.

Output:
  * model.safetensors: every floating-point tensor as float32 under DETR's own names
    (backbone.0.body.layer1.0.conv1.weight, transformer.encoder.layers.0.self_attn.in_proj_weight, query_embed.weight,
    class_embed.weight, bbox_embed.layers.2.bias, ...); a "module." prefix left by DistributedDataParallel is removed,
    BatchNorm's num_batches_tracked dropped (DETR's FrozenBatchNorm2d has none).
  * config.json in Hugging Face's DetrConfig format ("model_type": "detr"), read from the tensors' shapes: backbone
    resnet18/34/50/101 (block type and layer3's block count), d_model, encoder/decoder layers, FFN width, queries,
    num_labels = class_embed rows - 1. The head count is not in the weights: --heads (DETR's default 8). id2label:
    COCO's category ids (1..90, "N/A" in the gaps, as DETR's COCO models predict them) when num_labels is 91 and no
    --labels is given, else --labels by index. "converted_from" records the input's name, size and sha256.

Nothing is overwritten: the command fails if DIR/model.safetensors or DIR/config.json exists; each file is written
to a temporary name, flushed and linked into place.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_detectron2 import COCO_IDS, COCO_LABELS, _atomic_write, load_pth, select, sha256, write_safetensors  # noqa: E402


def architecture(tensors, heads):
    """Hugging Face DetrConfig fields from the tensors' names and shapes."""
    if "query_embed.weight" not in tensors or "class_embed.weight" not in tensors:
        raise SystemExit("not a DETR checkpoint: no query_embed.weight / class_embed.weight "
                         "(a panoptic checkpoint's names start with 'detr.': not supported)")
    if any(n.startswith("bbox_attention") or n.startswith("mask_head") for n in tensors):
        raise SystemExit("a panoptic DETR checkpoint: not supported")
    blocks = lambda layer: len({m.group(1) for n in tensors for m in [re.match(rf"backbone\.0\.body\.{layer}\.(\d+)\.", n)] if m})
    bottleneck = "backbone.0.body.layer1.0.conv3.weight" in tensors
    depths = (blocks("layer1"), blocks("layer2"), blocks("layer3"), blocks("layer4"))
    known = {(False, (2, 2, 2, 2)): "resnet18", (False, (3, 4, 6, 3)): "resnet34", (True, (3, 4, 6, 3)): "resnet50",
             (True, (3, 4, 23, 3)): "resnet101"}
    if (bottleneck, depths) not in known:
        raise SystemExit(f"backbone with {'Bottleneck' if bottleneck else 'BasicBlock'} blocks {depths} is not "
                         "torchvision's resnet18/34/50/101")
    queries, d = tensors["query_embed.weight"].shape
    if d % heads:
        raise SystemExit(f"d_model {d} is not divisible by --heads {heads}")
    layers = lambda part: len({m.group(1) for n in tensors for m in [re.match(rf"transformer\.{part}\.layers\.(\d+)\.", n)] if m})
    ffn = tensors["transformer.decoder.layers.0.linear1.weight"].shape[0]
    return {"model_type": "detr", "architectures": ["DetrForObjectDetection"], "backbone": known[(bottleneck, depths)],
            "use_timm_backbone": True, "dilation": False, "position_embedding_type": "sine", "activation_function": "relu",
            "d_model": int(d), "encoder_layers": layers("encoder"), "decoder_layers": layers("decoder"),
            "encoder_attention_heads": heads, "decoder_attention_heads": heads, "encoder_ffn_dim": int(ffn),
            "decoder_ffn_dim": int(ffn), "num_queries": int(queries),
            "num_labels": int(tensors["class_embed.weight"].shape[0]) - 1}


def id2label(num_labels, labels):
    if labels:
        names = labels.split(",")
        if len(names) != num_labels:
            raise SystemExit(f"--labels gives {len(names)} names for {num_labels} classes")
        return {str(i): n for i, n in enumerate(names)}
    if num_labels == 91:
        coco = dict(zip(COCO_IDS, COCO_LABELS))
        return {str(i): coco.get(i, "N/A") for i in range(91)}
    return {str(i): f"class {i}" for i in range(num_labels)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("checkpoint", help="DETR .pth")
    p.add_argument("out", help="output directory (created if needed)")
    p.add_argument("--heads", type=int, default=8, help="attention heads (not stored in the weights; DETR's default 8)")
    p.add_argument("--labels", help="class names by index, comma-separated (default: COCO's for 91 classes)")
    p.add_argument("--unsafe-pickle", action="store_true", help="load a trusted .pth that holds more than tensors")
    a = p.parse_args(argv)
    if "dc5" in os.path.basename(a.checkpoint).lower():
        raise SystemExit(f"{a.checkpoint}: a DC5 (dilated) DETR: not supported")
    if not os.path.isfile(a.checkpoint):
        raise SystemExit(f"{a.checkpoint}: no such file")
    os.makedirs(a.out, exist_ok=True)
    weights, config_path = os.path.join(a.out, "model.safetensors"), os.path.join(a.out, "config.json")
    for f in (weights, config_path):
        if os.path.exists(f):
            raise SystemExit(f"{f} exists: not overwritten")
    model, _ = load_pth(a.checkpoint, a.unsafe_pickle)
    tensors, dropped = select(model)
    config = architecture(tensors, a.heads)
    config["id2label"] = id2label(config["num_labels"], a.labels)
    config["converted_from"] = {"file": os.path.basename(a.checkpoint), "bytes": os.path.getsize(a.checkpoint),
                                "sha256": sha256(a.checkpoint), "format": "facebookresearch/detr state_dict", "dropped": dropped}
    _atomic_write(weights, lambda f: write_safetensors(f, tensors, {"format": "pt", "converted_from": a.checkpoint}))
    _atomic_write(config_path, lambda f: f.write((json.dumps(config, indent=1) + "\n").encode()))
    print(f"{len(tensors)} tensors -> {weights}; {config['backbone']}, d_model {config['d_model']}, "
          f"{config['num_queries']} queries, {config['num_labels']} classes -> {config_path}")


if __name__ == "__main__":
    main()
