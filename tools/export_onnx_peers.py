#!/usr/bin/env python3
"""Exports the hybrid ViT and DETR to ONNX for bin/peer-bench, beside the ViTs the shared peer exports.

    TIMM_SRC=<timm v1.0.28> DETR_SRC=<facebookresearch/detr 29901c51> /usr/bin/python3 tools/export_onnx_peers.py \
        --out target/peer [--models vit_base_r50_s16_384 detr_resnet50]

For each model, as the peer's own export_onnx.py does for the plain ViTs (random weights after torch.manual_seed(0),
eval(), float32; the speed does not depend on the values):

  NAME.onnx            torch.onnx.export, opset 17, one input 'input' [batch, 3, H, W] (batch dynamic for the ViT)
  NAME.check_in.f32    a random N(0, 1) input (batch 2 for the ViT, 1 for DETR), raw little-endian float32
  NAME.check_out.f32   PyTorch's float32 output for it (the ViT's logits; DETR's pred_logits), raw float32
  NAME.json            what was exported

  vit_b_r50_s16_384    timm vit_base_r50_s16_384 (ResNetV2-50 stem + ViT-B/16), input [batch, 3, 384, 384] -> logits [batch, 1000]
  detr_r50_800x1333    DETR-R50 (hubconf's detr_resnet50 without its download: 91 classes, 100 queries) on one unpadded
                       800x1333 image -> pred_logits [1, 100, 92], pred_boxes [1, 100, 4]; DETR's own ONNX path
                       (util.misc._onnx_nested_tensor_from_tensor_list under tracing)

DETR's package imports scipy (its training matcher) and packaging: minimal stand-ins are put on the path when they are
missing (neither is used by inference).
"""
import argparse
import json
import os
import sys
import types

import numpy as np
import torch

MODELS = {"vit_base_r50_s16_384": "vit_b_r50_s16_384", "detr_resnet50": "detr_r50_800x1333"}


def detr_modules(src):
    sys.path.insert(0, src)
    try:
        import packaging.version  # noqa: F401
    except ImportError:
        import pip._vendor.packaging as pk
        import pip._vendor.packaging.version as pv
        sys.modules["packaging"], sys.modules["packaging.version"] = pk, pv
    try:
        import scipy.optimize  # noqa: F401
    except ImportError:
        scipy = types.ModuleType("scipy")
        opt = types.ModuleType("scipy.optimize")
        opt.linear_sum_assignment = None
        scipy.optimize = opt
        sys.modules["scipy"], sys.modules["scipy.optimize"] = scipy, opt
    import torchvision
    import models.backbone as backbone
    from models.detr import DETR
    from models.position_encoding import PositionEmbeddingSine
    from models.transformer import Transformer
    body = torchvision.models.resnet50(replace_stride_with_dilation=[False, False, False], norm_layer=backbone.FrozenBatchNorm2d)
    base = backbone.BackboneBase(body, False, 2048, False)
    joiner = backbone.Joiner(base, PositionEmbeddingSine(128, normalize=True))
    joiner.num_channels = 2048
    return DETR(joiner, Transformer(d_model=256, return_intermediate_dec=True), num_classes=91, num_queries=100, aux_loss=False)


class DetrOutputs(torch.nn.Module):
    """DETR with a plain tensor in and its two predictions out (ONNX has no dicts)."""

    def __init__(self, detr):
        super().__init__()
        self.detr = detr

    def forward(self, x):
        out = self.detr(x)
        return out["pred_logits"], out["pred_boxes"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    for name in args.models:
        torch.manual_seed(0)
        fname = MODELS[name]
        if name.startswith("vit"):
            sys.path.insert(0, os.environ["TIMM_SRC"])
            import timm
            model = timm.create_model(name, pretrained=False).eval()
            shape, outputs, dynamic, check_batch = [3, 384, 384], ["logits"], {"input": {0: "batch"}, "logits": {0: "batch"}}, 2
        else:
            model = DetrOutputs(detr_modules(os.environ["DETR_SRC"])).eval()
            shape, outputs, dynamic, check_batch = [3, 800, 1333], ["pred_logits", "pred_boxes"], None, 1
        path = os.path.join(args.out, fname + ".onnx")
        with torch.no_grad():
            torch.onnx.export(model, torch.randn(1, *shape), path, opset_version=17, input_names=["input"], output_names=outputs,
                              dynamic_axes=dynamic)
            x = torch.randn(check_batch, *shape)
            y = model(x)
            y = y[0] if isinstance(y, tuple) else y
        x.numpy().astype("<f4").tofile(os.path.join(args.out, fname + ".check_in.f32"))
        y.numpy().astype("<f4").tofile(os.path.join(args.out, fname + ".check_out.f32"))
        with open(os.path.join(args.out, fname + ".json"), "w") as f:
            json.dump({"model": name, "file": fname + ".onnx", "opset": 17, "input": {"name": "input", "shape": ["batch" if dynamic else 1] + shape},
                       "outputs": outputs, "seed": 0, "torch": torch.__version__,
                       "check": {"input": fname + ".check_in.f32", "output": fname + ".check_out.f32", "batch": check_batch}}, f, indent=1)
        print(f"{name} -> {path} ({os.path.getsize(path) / 1e6:.0f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
