#!/usr/bin/env python3
"""A full-size check of the DETR port against upstream: DETR-R50 (the released layout, random weights) on a real
picture, from the picture file to PostProcess, upstream's PyTorch against `bin/vitornado detect`.

    DETR_SRC=<facebookresearch/detr 29901c51> /usr/bin/python3 tools/check_detr_fullsize.py [--work DIR] [--backend jvm]

1. Builds DETR-R50 as hubconf.py's detr_resnet50 does (91 classes, 100 queries), with torch.manual_seed(0) weights
   and random FrozenBatchNorm statistics (so that folding them is exercised), and saves it as a released checkpoint
   ({"model": state_dict}) in DIR/detr-r50-random.pth.
2. Converts it with tools/convert_detr.py (DIR/detr-r50-random/).
3. Draws a 480x640 picture (gradients, shapes, noise) into DIR/picture.png, runs upstream's test-time pipeline on it
   (datasets/transforms.py: RandomResize([800], max_size=1333), ToTensor, Normalize -> 800x1066) and the model in
   float64, then PostProcess with the picture's size.
4. Runs `bin/vitornado detect --score 0 --json` on the picture and compares, query by query after sorting both by
   score: the scores and boxes (relative L2 over all 100), and the labels of the queries whose top-two class margin is
   above 1e-4 (exactly).
Prints the comparison and exits 1 if it fails. About two minutes on two cores. DETR's datasets package imports
pycocotools (for training); a stand-in is put on the path when it is missing.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from export_onnx_peers import detr_modules  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "detr-fullsize"))
    ap.add_argument("--backend", default="jvm")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = detr_modules(os.environ["DETR_SRC"])
    from PIL import Image, ImageDraw
    try:
        import pycocotools  # noqa: F401  (DETR's datasets package imports it for training only)
    except ImportError:
        import types
        stub = types.ModuleType("pycocotools")
        stub.mask = types.ModuleType("pycocotools.mask")
        sys.modules["pycocotools"], sys.modules["pycocotools.mask"] = stub, stub.mask
    import datasets.transforms as T
    from models.detr import PostProcess
    g = torch.Generator().manual_seed(1)
    for name, buf in model.named_buffers():
        if name.endswith("running_var"):
            buf.copy_(0.5 + torch.rand(buf.shape, generator=g))
        elif name.endswith("running_mean"):
            buf.copy_(0.2 * torch.randn(buf.shape, generator=g))
        elif name.endswith("weight"):
            buf.copy_(0.8 + 0.4 * torch.rand(buf.shape, generator=g))
        elif name.endswith("bias"):
            buf.copy_(0.1 * torch.randn(buf.shape, generator=g))
    model.eval()
    pth = os.path.join(a.work, "detr-r50-random.pth")
    torch.save({"model": model.state_dict()}, pth)
    converted = os.path.join(a.work, "detr-r50-random")
    if not os.path.exists(os.path.join(converted, "model.safetensors")):
        subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "convert_detr.py"), pth, converted])

    rng = np.random.default_rng(2)
    img = Image.fromarray(rng.integers(0, 40, (480, 640, 3), dtype=np.uint8) + np.linspace(0, 200, 640, dtype=np.uint8)[None, :, None])
    d = ImageDraw.Draw(img)
    d.rectangle([60, 80, 260, 300], fill=(200, 40, 40))
    d.ellipse([330, 150, 560, 420], fill=(30, 160, 220))
    picture = os.path.join(a.work, "picture.png")
    img.save(picture)

    pil = Image.open(picture).convert("RGB")
    tf = T.Compose([T.RandomResize([800], max_size=1333), T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])])
    x, _ = tf(pil, None)
    with torch.no_grad():
        out = model.double()([x.double()])
        logits = out["pred_logits"]
        res = PostProcess()({"pred_logits": logits, "pred_boxes": out["pred_boxes"]}, torch.tensor([[pil.height, pil.width]]))[0]
    prob = logits.softmax(-1)[0, :, :-1]
    top2 = prob.topk(2, -1).values
    margin = (top2[:, 0] - top2[:, 1]).numpy()
    order = np.argsort(-res["scores"].numpy(), kind="stable")
    want_scores = res["scores"].numpy()[order]
    want_boxes = res["boxes"].numpy()[order]
    want_labels = res["labels"].numpy()[order]
    want_margin = margin[order]

    out_dir = os.path.join(a.work, "detect")
    subprocess.run(["rm", "-rf", out_dir])
    r = subprocess.run([os.path.join(ROOT, "bin", "vitornado"), "detect", "--model", converted, "--image", picture, "--out", out_dir,
                        "--score", "0", "--backend", a.backend, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    dets = json.loads(r.stdout.strip().splitlines()[-1])["detections"]
    got_scores = np.array([t["score"] for t in dets])
    got_boxes = np.array([[t["bbox"][0], t["bbox"][1], t["bbox"][0] + t["bbox"][2], t["bbox"][1] + t["bbox"][3]] for t in dets])
    got_labels = np.array([t["category_id"] for t in dets])
    rel = lambda g_, w_: float(np.linalg.norm(g_ - w_) / np.linalg.norm(w_))
    sure = want_margin > 1e-4
    ok = len(dets) == 100 and rel(got_scores, want_scores) < 1e-4 and rel(got_boxes, want_boxes) < 1e-4 and (got_labels[sure] == want_labels[sure]).all()
    print(f"DETR-R50 (random weights) on a 480x640 picture (800x{x.shape[2]} input), {len(dets)} detections:")
    print(f"  scores rel L2 {rel(got_scores, want_scores):.2e} (JSON rounds to 1e-5), boxes rel L2 {rel(got_boxes, want_boxes):.2e} "
          f"(JSON rounds to 0.01 px), labels equal on {int((got_labels[sure] == want_labels[sure]).sum())} of {int(sure.sum())} queries "
          f"with a top-two margin above 1e-4; {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
