#!/usr/bin/env python3
"""Trains the bundled detection demo model: a small detectron2 ViTDet Mask R-CNN (GeneralizedRCNN with a
ViT + SimpleFeaturePyramid backbone, RPN and StandardROIHeads with LN conv box/mask heads) on synthetic
instance-segmentation "photos" of Fashion-MNIST items, and writes models/fashion-detector/.

    PYTHONPATH=$D2_SRC:tools/detectron2_stubs:$D2_DEPS:$TIMM_SRC python3 tools/train_fashion_detector.py models/fashion-detector

Needs a detectron2 source tree (commit 02b5c4e2; only its pure-Python modelling code runs: the ViTDet /
ROIAlign / NMS path uses torchvision ops, detectron2._C is never imported), a timm checkout (detectron2's ViT
imports timm's Mlp; v1.0.28 used), Debian's python3-torch 1.13 / python3-torchvision 0.14 (with
libopenblas0-pthread), python3-numpy, python3-pil, python3-yaml and dataset-fashion-mnist (or FASHION_MNIST=DIR
holding the four idx .gz files). detectron2 imports fvcore, iopath and yacs (pure Python: $D2_DEPS is a folder
holding their source packages) and, at import time only, a few modules this model never uses: the stubs in
tools/detectron2_stubs satisfy those. No LazyConfig, DefaultTrainer or data loader of detectron2 is used.

Steps: generate scenes on the fly (training split of Fashion-MNIST, a fresh seeded scene per image and
iteration), train with a plain PyTorch loop (AdamW, linear warmup, cosine decay, batch 4, THREADS CPU threads, 1 by default),
save WORK/model_final.pth ({"model": state_dict, "iteration": N}, as detectron2's Checkpointer), evaluate on
200 test-split scenes, convert the checkpoint with tools/convert_detectron2.py (model.safetensors +
config.json), rebuild the model from config.json + model.safetensors and write the demo images, their ground
truth and detectron2's own float32 and float64 predictions. `--skip-train` redoes evaluation and export from
an existing WORK/model_final.pth. The output directory must not exist yet (nothing is overwritten).

Determinism: seed SEED (0); torch.manual_seed before building the model, the data of iteration i comes from
numpy default_rng([SEED, 1, i]); THREADS CPU threads. Reproducible on one machine (CPU kernels are deterministic
for a fixed thread count), not bit-for-bit across machines.

Recorded run (filled in after training; also in config.json "training"):
    models/fashion-detector: 1050 iterations of batch 4 after the 1100-iteration ViT pre-training,
    2071 s in all on one thread of a shared 2-core machine, 1,957,092 parameters. On 200 test-split
    scenes (620 items): box AP50 0.5591, mask AP50 0.525; at score 0.5 and IoU 0.5,
    precision 0.4934 and recall 0.4806
    (class-agnostic recall 0.6177). A weak detector, but a real one:
    longer schedules (ITERS) should do better; they did not fit the session that trained it.
"""
import argparse
import functools
import gzip
import importlib
import json
import math
import os
import struct
import subprocess
import sys
import time

import numpy as np

# OpenMP threads spin while waiting by default: on a shared, busy 2-core machine that made an iteration 5-10x
# slower. Passive waiting does not change any result.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

SEED = 0
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
IMAGE_SIZE = 256
BATCH = 4
ITERS = int(os.environ.get("ITERS", "1050"))
WARMUP = 100
LR = 6e-4
MIN_LR = 2e-5
WEIGHT_DECAY = 0.05
CLIP_NORM = 5.0
PRE_ITERS = int(os.environ.get("PRE_ITERS", "1100"))  # stage 1: ViT pre-training
PRE_BATCH = 64
PRE_SIZE = 64
PRE_LR = 1e-3
MAX_SECONDS = int(os.environ.get("MAX_SECONDS", str(150 * 60)))  # safety stop for both stages together (the recorded run did not reach it)
# One thread: on the shared 2-core machine used, other processes kept a core busy and 2 OpenMP threads made
# every op wait for a descheduled thread: an iteration took 13 s with 2 threads against 1.3 s with 1.
THREADS = int(os.environ.get("THREADS", "1"))
EVAL_IMAGES = 200
ITEM_MIN, ITEM_MAX = 40, 120   # pasted side length in pixels (28x28 upscaled, PIL bilinear)
MASK_THRESH = 0.2               # mask = visible pixels whose upscaled intensity is > this
ALPHA_GAIN = 1.5                # alpha = min(1, ALPHA_GAIN * intensity)
BG_MAX = 110                    # background colours are drawn from 0..BG_MAX per channel
LUMA = np.array([0.299, 0.587, 0.114])
MIN_CONTRAST = 60               # item tint luminance >= local background luminance + this (20 tries)
MIN_VISIBLE = 0.5               # an occluded item keeps at least this fraction of its own mask
D2_COMMIT = "02b5c4e295e990042a714712c21dc79b731e8833"
HERE = os.path.dirname(os.path.abspath(__file__))


# ----------------------------------------------------------------------------------------------------------
# Fashion-MNIST
def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = [struct.unpack(">I", data[4 + 4 * i:8 + 4 * i])[0] for i in range(magic & 0xFF)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def load_fashion(split):
    root = os.environ.get("FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
    prefix = "train" if split == "train" else "t10k"
    return _idx(f"{root}/{prefix}-images-idx3-ubyte.gz"), _idx(f"{root}/{prefix}-labels-idx1-ubyte.gz")


# ----------------------------------------------------------------------------------------------------------
# Synthetic scenes
def _blur(arr, radius):
    """Gaussian blur of a float HxWx3 array (values around 0..255) through PIL on uint8 with an offset."""
    lo, hi = float(arr.min()), float(arr.max())
    span = max(hi - lo, 1e-6)
    u8 = np.clip((arr - lo) / span * 255 + 0.5, 0, 255).astype(np.uint8)
    out = np.asarray(Image.fromarray(u8).filter(ImageFilter.GaussianBlur(radius)), np.float32)
    return out / 255 * span + lo


def make_background(rng, h, w):
    """Smooth textured background: a linear gradient between two random colours, low-frequency colour
    noise, 2..5 blurred coloured ellipses and fine blurred grain. float32 HxWx3 in 0..255."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, 2 * math.pi)
    t = xx * math.cos(ang) + yy * math.sin(ang)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    c0, c1 = rng.uniform(0, BG_MAX, 3), rng.uniform(0, BG_MAX, 3)
    img = c0[None, None, :] + (c1 - c0)[None, None, :] * t[..., None]
    g = int(rng.integers(3, 9))
    low = rng.normal(0, 1, (g, g, 3)).astype(np.float32)
    low_u8 = np.clip(low * 40 + 128, 0, 255).astype(np.uint8)
    low = (np.asarray(Image.fromarray(low_u8).resize((w, h), Image.BICUBIC), np.float32) - 128) / 40
    img = img + low * rng.uniform(10, 40)
    for _ in range(int(rng.integers(2, 6))):
        m = Image.new("L", (w, h), 0)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        rx, ry = rng.uniform(10, 0.4 * w), rng.uniform(10, 0.4 * h)
        ImageDraw.Draw(m).ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=255)
        m = m.filter(ImageFilter.GaussianBlur(rng.uniform(3, 12)))
        a = np.asarray(m, np.float32)[..., None] / 255 * rng.uniform(0.3, 0.8)
        img = img * (1 - a) + rng.uniform(0, BG_MAX, 3)[None, None, :] * a
    grain = rng.normal(0, 1, (h, w, 3)).astype(np.float32) * rng.uniform(4, 14)
    img = img + _blur(grain, rng.uniform(0.5, 1.5))
    return np.clip(img, 0, 255).astype(np.float32)


def hsv_to_rgb(h, s, v):
    import colorsys
    return np.array(colorsys.hsv_to_rgb(h, s, v)) * 255


def make_scene(rng, images, labels, h, w, n_items, tries=30):
    """A synthetic photo with up to n_items Fashion-MNIST items pasted (later ones occlude earlier ones).
    Returns (uint8 HxWx3 image, list of item dicts with class, box (x0, y0, x1, y1) = tight box of the
    visible mask (exclusive right/bottom, like detectron2's BitMasks.get_bounding_boxes), bool HxW mask)."""
    img = make_background(rng, h, w)
    items = []
    for _ in range(n_items):
        idx = int(rng.integers(len(images)))
        for _attempt in range(tries):
            s = int(rng.integers(ITEM_MIN, min(ITEM_MAX, h, w) + 1))
            x, y = int(rng.integers(0, w - s + 1)), int(rng.integers(0, h - s + 1))
            inten = np.asarray(Image.fromarray(images[idx]).resize((s, s), Image.BILINEAR), np.float32) / 255
            full = np.zeros((h, w), bool)
            full[y:y + s, x:x + s] = inten > MASK_THRESH
            if all((it["mask"] & ~full).sum() >= MIN_VISIBLE * it["full_area"] for it in items):
                break
        else:
            continue  # no placement keeps the earlier items visible enough: skip this item
        region = img[y:y + s, x:x + s]
        local = region.reshape(-1, 3).mean(0)
        for _c in range(20):  # a bright tint, brighter than the local background (fixed figure/ground polarity)
            colour = hsv_to_rgb(rng.uniform(), rng.uniform(0.2, 1.0), rng.uniform(0.75, 1.0))
            if colour @ LUMA > local @ LUMA + MIN_CONTRAST:
                break
        shade = 0.55 + 0.45 * inten
        alpha = np.minimum(1.0, ALPHA_GAIN * inten)[..., None]
        region[:] = region * (1 - alpha) + (colour[None, None, :] * shade[..., None]) * alpha
        for it in items:
            it["mask"] &= ~full
        items.append({"class": int(labels[idx]), "source_index": idx, "mask": full,
                      "full_area": int(full.sum()), "side": s, "position": [x, y],
                      "tint": [round(float(c), 2) for c in colour]})
    for it in items:
        ys, xs = np.nonzero(it["mask"])
        it["box"] = [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]
        it["area"] = int(it["mask"].sum())
    return np.clip(img + 0.5, 0, 255).astype(np.uint8), items


def train_scene(seed_seq, images, labels):
    rng = np.random.default_rng(seed_seq)
    if rng.uniform() < 0.7:
        h = w = IMAGE_SIZE
    else:  # what ResizeShortestEdge(256, 256) makes of a non-square photo
        short = int(rng.integers(160, IMAGE_SIZE + 1))
        h, w = (short, IMAGE_SIZE) if rng.uniform() < 0.5 else (IMAGE_SIZE, short)
    return make_scene(rng, images, labels, h, w, int(rng.integers(1, 6)))


# ----------------------------------------------------------------------------------------------------------
# Model (built from the constructor JSON, the format of config.json's "constructor")
def constructor(num_classes=10, embed_dim=96, depth=4, num_heads=3, fpn=64, head=64, fc=256):
    def C(cls, **args):
        return {"class": cls, "args": args}

    def T(*v):
        return {"tuple": list(v)}

    def shape(**k):
        return C("detectron2.layers.ShapeSpec", **k)
    scales = T(0.25, 0.125, 0.0625, 0.03125)
    return C(
        "detectron2.modeling.meta_arch.rcnn.GeneralizedRCNN",
        backbone=C(
            "detectron2.modeling.backbone.vit.SimpleFeaturePyramid",
            net=C("detectron2.modeling.backbone.vit.ViT", img_size=IMAGE_SIZE, patch_size=16, embed_dim=embed_dim,
                  depth=depth, num_heads=num_heads, drop_path_rate=0.0, window_size=8, mlp_ratio=4, qkv_bias=True,
                  norm_layer={"callable": "torch.nn.LayerNorm", "kwargs": {"eps": 1e-6}},
                  window_block_indexes=[0, 2], residual_block_indexes=[], use_rel_pos=True,
                  out_feature="last_feat"),
            in_feature="last_feat", out_channels=fpn, scale_factors=T(4.0, 2.0, 1.0, 0.5),
            top_block=C("detectron2.modeling.backbone.fpn.LastLevelMaxPool"), norm="LN", square_pad=IMAGE_SIZE),
        proposal_generator=C(
            "detectron2.modeling.proposal_generator.rpn.RPN",
            in_features=["p2", "p3", "p4", "p5", "p6"],
            head=C("detectron2.modeling.proposal_generator.rpn.StandardRPNHead", in_channels=fpn, num_anchors=3,
                   conv_dims=[-1, -1]),
            anchor_generator=C("detectron2.modeling.anchor_generator.DefaultAnchorGenerator",
                               sizes=[[16], [32], [64], [128], [256]], aspect_ratios=[0.5, 1.0, 2.0],
                               strides=[4, 8, 16, 32, 64], offset=0.0),
            anchor_matcher=C("detectron2.modeling.matcher.Matcher", thresholds=[0.3, 0.7], labels=[0, -1, 1],
                             allow_low_quality_matches=True),
            box2box_transform=C("detectron2.modeling.box_regression.Box2BoxTransform", weights=T(1.0, 1.0, 1.0, 1.0)),
            batch_size_per_image=256, positive_fraction=0.5, pre_nms_topk=T(2000, 300), post_nms_topk=T(1000, 100),
            nms_thresh=0.7),
        roi_heads=C(
            "detectron2.modeling.roi_heads.roi_heads.StandardROIHeads",
            num_classes=num_classes, batch_size_per_image=128, positive_fraction=0.25,
            proposal_matcher=C("detectron2.modeling.matcher.Matcher", thresholds=[0.5], labels=[0, 1],
                               allow_low_quality_matches=False),
            box_in_features=["p2", "p3", "p4", "p5"],
            box_pooler=C("detectron2.modeling.poolers.ROIPooler", output_size=7, scales=scales, sampling_ratio=0,
                         pooler_type="ROIAlignV2", canonical_box_size=56),
            box_head=C("detectron2.modeling.roi_heads.box_head.FastRCNNConvFCHead",
                       input_shape=shape(channels=fpn, height=7, width=7), conv_dims=[head] * 4, fc_dims=[fc],
                       conv_norm="LN"),
            box_predictor=C("detectron2.modeling.roi_heads.fast_rcnn.FastRCNNOutputLayers",
                            input_shape=shape(channels=fc), test_score_thresh=0.05,
                            box2box_transform=C("detectron2.modeling.box_regression.Box2BoxTransform",
                                                weights=T(10.0, 10.0, 5.0, 5.0)),
                            num_classes=num_classes),
            mask_in_features=["p2", "p3", "p4", "p5"],
            mask_pooler=C("detectron2.modeling.poolers.ROIPooler", output_size=14, scales=scales, sampling_ratio=0,
                          pooler_type="ROIAlignV2", canonical_box_size=56),
            mask_head=C("detectron2.modeling.roi_heads.mask_head.MaskRCNNConvUpsampleHead",
                        input_shape=shape(channels=fpn, width=14, height=14), num_classes=num_classes,
                        conv_dims=[head] * 5, conv_norm="LN")),
        pixel_mean=[123.675, 116.28, 103.53], pixel_std=[58.395, 57.12, 57.375], input_format="RGB")


def _resolve(path):
    mod, _, name = path.rpartition(".")
    return getattr(importlib.import_module(mod), name)


def instantiate(spec):
    if isinstance(spec, dict):
        if "class" in spec:
            return _resolve(spec["class"])(**{k: instantiate(v) for k, v in spec.get("args", {}).items()})
        if "callable" in spec:
            return functools.partial(_resolve(spec["callable"]), **{k: instantiate(v)
                                                                    for k, v in spec.get("kwargs", {}).items()})
        if "tuple" in spec:
            return tuple(instantiate(v) for v in spec["tuple"])
        return {k: instantiate(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [instantiate(v) for v in spec]
    return spec


# ----------------------------------------------------------------------------------------------------------
# detectron2 inputs
def to_input(img, items=None):
    from detectron2.structures import BitMasks, Boxes, Instances
    h, w = img.shape[:2]
    d = {"image": torch.as_tensor(np.ascontiguousarray(img.transpose(2, 0, 1))).float(), "height": h, "width": w}
    if items is not None:
        inst = Instances((h, w))
        inst.gt_boxes = Boxes(torch.tensor([it["box"] for it in items], dtype=torch.float32).reshape(-1, 4))
        inst.gt_classes = torch.tensor([it["class"] for it in items], dtype=torch.int64)
        inst.gt_masks = BitMasks(torch.from_numpy(np.stack([it["mask"] for it in items])) if items
                                 else torch.zeros((0, h, w), dtype=torch.bool))
        d["instances"] = inst
    return d


FASHION_VIT_MEAN, FASHION_VIT_STD = 0.2860, 0.3530  # models/fashion-vit's grey-level normalisation (0..1 scale)


def init_from_fashion_vit(model, path):
    """Initialises the ViT's patch embedding and its 4 blocks from models/fashion-vit (the project's timm ViT,
    96 wide, 4 blocks, 3 heads, patch 7 on 28x28 Fashion-MNIST training images): block weights copied as they
    are (timm and detectron2 use the same names: norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2); the 7x7
    patch kernel becomes the 16x16 kernel that gives, on a 16x16 patch, the old response to that patch
    downsampled to 7x7 (antialiased bilinear: W16 = D^T W7), rescaled from fashion-vit's grey normalisation
    (x/255 - 0.286) / 0.353 to this model's per-channel pixel_mean/std. pos_embed and the rel-pos tables keep
    detectron2's own initialisation. Returns the names initialised."""
    src = read_safetensors(path)
    net = model.backbone.net
    dst = net.state_dict()
    done = []
    for name, t in src.items():
        if name.startswith("blocks.") and name in dst:
            assert dst[name].shape == t.shape, name
            dst[name] = t.clone()
            done.append("backbone.net." + name)
    w7, b7 = src["patch_embed.proj.weight"], src["patch_embed.proj.bias"]
    p = net.patch_embed.proj.weight.shape[-1]
    k = w7.shape[-1]
    basis = torch.eye(p * p).reshape(p * p, 1, p, p)
    d = torch.nn.functional.interpolate(basis, size=(k, k), mode="bilinear", align_corners=False,
                                        antialias=True).reshape(p * p, k * k)  # column j: patch pixel j -> 7x7
    w16 = (w7.reshape(w7.shape[0], w7.shape[1], k * k) @ d.T).reshape(w7.shape[0], w7.shape[1], p, p)
    mean = model.pixel_mean.reshape(-1) / 255
    std = model.pixel_std.reshape(-1) / 255
    # fashion-vit input u = (x - M) / S; this model's v = (x - mean_c) / std_c, so u = (std_c v + mean_c - M) / S
    w_new = w16 * (std / FASHION_VIT_STD)[None, :, None, None]
    b_new = b7 + (w16.sum(dim=(2, 3)) * ((mean - FASHION_VIT_MEAN) / FASHION_VIT_STD)[None, :]).sum(1)
    dst["patch_embed.proj.weight"], dst["patch_embed.proj.bias"] = w_new, b_new
    done += ["backbone.net.patch_embed.proj.weight", "backbone.net.patch_embed.proj.bias"]
    net.load_state_dict(dst)
    return done


def pretrain_backbone(model, log, iters, batch=PRE_BATCH, size=PRE_SIZE):
    """Stage 1 (as ViTDet starts from a pre-trained ViT): supervised pre-training of the ViT alone on
    PRE_SIZE x PRE_SIZE synthetic scenes holding one item (training split; 40..PRE_SIZE pixels, so the item
    fills most of the 4x4 token grid, as in Fashion-MNIST itself). The class is predicted from the ViT's last
    feature map averaged under the item's visible mask (area-downsampled to the token grid), through a temporary
    LayerNorm + Linear head that is thrown away afterwards. detectron2 interpolates pos_embed and the global
    blocks' rel-pos tables to the small grid. Measured: from scratch on 128x128 scenes (8x8 tokens, 1..2 items)
    the ViT stayed near chance for 300 iterations; on these 64x64 crops it learns at once, and each step is cheap."""
    images, labels = load_fashion("train")
    net = model.backbone.net
    dim = net.blocks[0].norm1.normalized_shape[0]
    head = torch.nn.Sequential(torch.nn.LayerNorm(dim), torch.nn.Linear(dim, len(LABELS)))
    params = list(net.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW([{"params": [p for p in params if p.ndim > 1], "weight_decay": WEIGHT_DECAY},
                             {"params": [p for p in params if p.ndim <= 1], "weight_decay": 0.0}], lr=PRE_LR)
    mean, std = model.pixel_mean, model.pixel_std
    net.train()
    t0 = time.time()
    smooth = None
    for it in range(iters):
        lr = PRE_LR * min(1.0, (it + 1) / 30) * 0.5 * (1 + math.cos(math.pi * it / iters))
        for g in opt.param_groups:
            g["lr"] = lr
        xs, masks, ys = [], [], []
        for b in range(batch):
            rng = np.random.default_rng([SEED, 4, it * batch + b])
            img, items = make_scene(rng, images, labels, size, size, 1)
            if items:
                xs.append(torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1))).float())
                masks.append(torch.from_numpy(items[0]["mask"]).float())
                ys.append(items[0]["class"])
        x = (torch.stack(xs) - mean) / std
        feat = net(x)[net._out_features[0]]  # [B, C, h, w]
        m = torch.nn.functional.adaptive_avg_pool2d(torch.stack(masks)[:, None], feat.shape[-2:])[:, 0]
        pooled = (feat * m[:, None]).sum((2, 3)) / m.sum((1, 2))[:, None].clamp(min=1e-6)
        logits = head(pooled)
        y = torch.tensor(ys)
        loss = torch.nn.functional.cross_entropy(logits, y, label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP_NORM)
        opt.step()
        acc = float((logits.argmax(1) == y).float().mean())
        smooth = (float(loss), acc) if smooth is None else (0.95 * smooth[0] + 0.05 * float(loss),
                                                             0.95 * smooth[1] + 0.05 * acc)
        if it % 25 == 0 or it == iters - 1:
            msg = f"pretrain it {it} lr {lr:.2e} t {time.time() - t0:.0f}s loss {smooth[0]:.3f} acc {smooth[1]:.3f}"
            print(msg, flush=True)
            log.write(msg + "\n")
            log.flush()
    return time.time() - t0, smooth


def param_groups(model):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.ndim <= 1 or name.endswith("pos_embed") or "rel_pos" in name or ".norm" in name:
            no_decay.append(p)
        else:
            decay.append(p)
    return [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}]


def lr_at(it):
    if it < WARMUP:
        return LR * (0.001 + 0.999 * it / WARMUP)
    t = (it - WARMUP) / max(1, ITERS - WARMUP)
    return MIN_LR + 0.5 * (LR - MIN_LR) * (1 + math.cos(math.pi * t))


def train(model, work, log, budget):
    from detectron2.utils.events import EventStorage
    images, labels = load_fashion("train")
    with EventStorage(0) as storage:
        return _train(model, work, log, images, labels, storage, budget)


def _train(model, work, log, images, labels, storage, budget):
    model.train()
    opt = torch.optim.AdamW(param_groups(model), lr=LR, betas=(0.9, 0.999))
    t0 = time.time()
    smooth = None
    for it in range(ITERS):
        storage.iter = it
        for g in opt.param_groups:
            g["lr"] = lr_at(it)
        batch = [to_input(*train_scene([SEED, 1, it * BATCH + b], images, labels)) for b in range(BATCH)]
        losses = model(batch)
        loss = sum(losses.values())
        opt.zero_grad()
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        opt.step()
        vals = {k: float(v) for k, v in losses.items()}
        smooth = vals if smooth is None else {k: 0.95 * smooth[k] + 0.05 * vals[k] for k in vals}
        if it % 20 == 0 or it == ITERS - 1:
            msg = (f"it {it} lr {lr_at(it):.2e} t {time.time() - t0:.0f}s loss {sum(smooth.values()):.3f} "
                   + " ".join(f"{k[5:]} {v:.3f}" for k, v in smooth.items()) + f" gnorm {float(gnorm):.2f}")
            print(msg, flush=True)
            log.write(msg + "\n")
            log.flush()
        stop = time.time() - t0 > budget
        if (it + 1) % 250 == 0 or it == ITERS - 1 or stop:
            torch.save({"model": model.state_dict(), "iteration": it + 1}, os.path.join(work, "model_final.pth"))
        if stop:
            print(f"stopped after {it + 1} iterations: time budget", flush=True)
            break
    return time.time() - t0


# ----------------------------------------------------------------------------------------------------------
# Evaluation
def box_iou(a, b):
    a, b = np.asarray(a, np.float64).reshape(-1, 4), np.asarray(b, np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def mask_iou(a, b):
    a = a.reshape(len(a), -1).astype(np.float64)
    b = b.reshape(len(b), -1).astype(np.float64)
    inter = a @ b.T
    return inter / np.maximum(a.sum(1)[:, None] + b.sum(1)[None, :] - inter, 1e-9)


def average_precision(dets, n_gt):
    """COCO-style 101-point interpolated AP from (score, is_true_positive) pairs."""
    if n_gt == 0:
        return None
    if not dets:
        return 0.0
    dets = sorted(dets, key=lambda d: -d[0])
    tp = np.cumsum([d[1] for d in dets])
    fp = np.cumsum([1 - d[1] for d in dets])
    rec, prec = tp / n_gt, tp / np.maximum(tp + fp, 1e-9)
    prec = np.maximum.accumulate(prec[::-1])[::-1]
    ap = 0.0
    for r in np.linspace(0, 1, 101):
        i = np.searchsorted(rec, r, side="left")
        ap += prec[i] if i < len(prec) else 0.0
    return ap / 101


def match(iou, scores, pred_cls, gt_cls, thresh):
    """Greedy COCO-style matching by descending score; returns per-prediction matched gt index or -1."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    taken = np.zeros(len(gt_cls), bool)
    out = np.full(len(scores), -1)
    for i in order:
        best, bj = thresh, -1
        for j in range(len(gt_cls)):
            if taken[j] or gt_cls[j] != pred_cls[i]:
                continue
            if iou[i, j] >= best:
                best, bj = iou[i, j], j
        if bj >= 0:
            taken[bj] = True
            out[i] = bj
    return out


def evaluate(model, n=EVAL_IMAGES, seed_tag=2):
    images, labels = load_fashion("test")
    model.eval()
    per_class_box = {c: [] for c in range(len(LABELS))}
    per_class_mask = {c: [] for c in range(len(LABELS))}
    n_gt = {c: 0 for c in range(len(LABELS))}
    tp50 = fp50 = fn50 = 0
    agnostic_found = 0
    mask_ious = []
    t0 = time.time()
    with torch.no_grad():
        for k in range(n):
            rng = np.random.default_rng([SEED, seed_tag, k])
            img, items = make_scene(rng, images, labels, IMAGE_SIZE, IMAGE_SIZE, int(rng.integers(1, 6)))
            inst = model.inference([to_input(img)])[0]["instances"]
            boxes = inst.pred_boxes.tensor.numpy()
            scores = inst.scores.numpy()
            cls = inst.pred_classes.numpy()
            masks = inst.pred_masks.numpy()
            gt_boxes = np.array([it["box"] for it in items], np.float64).reshape(-1, 4)
            gt_cls = np.array([it["class"] for it in items])
            gt_masks = np.stack([it["mask"] for it in items])
            for c in gt_cls:
                n_gt[int(c)] += 1
            biou = box_iou(boxes, gt_boxes)
            miou = mask_iou(masks, gt_masks) if len(masks) else np.zeros((0, len(items)))
            mb = match(biou, scores, cls, gt_cls, 0.5)
            mm = match(miou, scores, cls, gt_cls, 0.5)
            for i in range(len(scores)):
                per_class_box[int(cls[i])].append((float(scores[i]), int(mb[i] >= 0)))
                per_class_mask[int(cls[i])].append((float(scores[i]), int(mm[i] >= 0)))
            keep = scores >= 0.5
            m50 = match(biou[keep], scores[keep], cls[keep], gt_cls, 0.5)
            tp50 += int((m50 >= 0).sum())
            fp50 += int((m50 < 0).sum())
            fn50 += len(items) - int((m50 >= 0).sum())
            for i, j in zip(np.nonzero(keep)[0], m50):
                if j >= 0:
                    mask_ious.append(float(miou[i, j]))
            if keep.any():
                agnostic_found += int((biou[keep].max(0) >= 0.5).sum())
    ap_box = [average_precision(per_class_box[c], n_gt[c]) for c in range(len(LABELS))]
    ap_mask = [average_precision(per_class_mask[c], n_gt[c]) for c in range(len(LABELS))]
    valid = [c for c in range(len(LABELS)) if n_gt[c]]
    return {
        "images": n, "objects": int(sum(n_gt.values())),
        "box_AP50": round(float(np.mean([ap_box[c] for c in valid])), 4),
        "mask_AP50": round(float(np.mean([ap_mask[c] for c in valid])), 4),
        "box_AP50_per_class": {LABELS[c]: round(float(ap_box[c]), 4) for c in valid},
        "at_score_0.5_iou_0.5": {
            "precision": round(tp50 / max(tp50 + fp50, 1), 4), "recall": round(tp50 / max(tp50 + fn50, 1), 4),
            "true_positives": tp50, "false_positives": fp50, "missed": fn50,
            "class_agnostic_recall": round(agnostic_found / max(sum(n_gt.values()), 1), 4),
            "mean_mask_iou_of_matches": round(float(np.mean(mask_ious)) if mask_ious else 0.0, 4)},
        "seconds": round(time.time() - t0, 1),
    }


# ----------------------------------------------------------------------------------------------------------
# Export helpers
def rle(mask):
    """COCO RLE, uncompressed: column-major run lengths starting with the count of zeros."""
    flat = np.asarray(mask, bool).flatten(order="F")
    change = np.nonzero(np.diff(flat.astype(np.int8)))[0] + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0]:
        counts = [0] + counts
    return {"size": [int(mask.shape[0]), int(mask.shape[1])], "counts": [int(c) for c in counts]}


def read_safetensors(path):
    with open(path, "rb") as f:
        n, = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", name
        a, b = meta["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], "<f4").reshape(meta["shape"]).copy())
    return out


def demo_scenes():
    """6 square 256x256 scenes plus a 320x240 and a 200x300 one (test split, 2..5 items each)."""
    images, labels = load_fashion("test")
    sizes = [(256, 256)] * 6 + [(240, 320), (300, 200)]
    out = []
    for k, (h, w) in enumerate(sizes):
        rng = np.random.default_rng([SEED, 3, k])
        img, items = make_scene(rng, images, labels, h, w, int(rng.integers(2, 6)))
        out.append((f"scene{k + 1:02d}_{w}x{h}.png", img, items))
    return out


class _Float64Nms:
    """detectron2.layers.batched_nms casts boxes to float32 (boxes are float32 even in a double model), and
    torchvision's nms needs boxes and scores of one dtype: in the float64 run the (float32-valued) boxes are
    cast to the scores' dtype instead (exact), so the IoUs are computed in float64."""

    def __enter__(self):
        import types
        import detectron2.layers.nms  # noqa: F401 (the package re-exports a function called nms)
        self.module = sys.modules["detectron2.layers.nms"]
        self.box_ops = self.module.box_ops
        orig = self.box_ops.batched_nms

        def batched_nms(boxes, scores, idxs, thr):
            return orig(boxes.to(scores.dtype), scores, idxs, thr)
        self.module.box_ops = types.SimpleNamespace(batched_nms=batched_nms)
        return self

    def __exit__(self, *a):
        self.module.box_ops = self.box_ops
        return False


def predict(model, path, dtype):
    from detectron2.data import transforms as T
    img = np.asarray(Image.open(path).convert("RGB"))
    h, w = img.shape[:2]
    aug = T.ResizeShortestEdge(IMAGE_SIZE, IMAGE_SIZE)  # interp PIL bilinear, as DatasetMapper's test transform
    resized = aug.get_transform(img).apply_image(img)
    x = torch.as_tensor(np.ascontiguousarray(resized.transpose(2, 0, 1))).to(dtype)
    with torch.no_grad():
        inst = model.inference([{"image": x, "height": h, "width": w}])[0]["instances"]
    return {
        "height": h, "width": w, "input_size": [int(resized.shape[0]), int(resized.shape[1])],
        "num_instances": len(inst),
        "num_score_ge_0.5": int((inst.scores >= 0.5).sum()),
        "pred_boxes": [[float(v) for v in b] for b in inst.pred_boxes.tensor.tolist()],
        "scores": [float(s) for s in inst.scores.tolist()],
        "pred_classes": [int(c) for c in inst.pred_classes.tolist()],
        "pred_labels": [LABELS[int(c)] for c in inst.pred_classes.tolist()],
        "pred_masks": [rle(m) for m in inst.pred_masks.numpy()],
    }


def export(out_dir, work, ckpt, record):
    os.makedirs(work, exist_ok=True)
    spec = {"constructor": constructor(), "test": {"short_edge_length": IMAGE_SIZE, "max_size": IMAGE_SIZE},
            "label_names": LABELS, "training": record}
    spec_path = os.path.join(work, "constructor.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f, indent=1)
    subprocess.run([sys.executable, os.path.join(HERE, "convert_detectron2.py"), ckpt, out_dir,
                    "--constructor", spec_path], check=True)
    with open(os.path.join(out_dir, "config.json")) as f:
        cfg = json.load(f)
    model = instantiate(cfg["constructor"])
    missing, unexpected = model.load_state_dict(read_safetensors(os.path.join(out_dir, "model.safetensors")),
                                                strict=False)
    assert not unexpected and not missing, (missing, unexpected)
    model.eval()
    img_dir = os.path.join(out_dir, "images")
    os.makedirs(img_dir)
    gt = {"description": "Synthetic test scenes (Fashion-MNIST test split items on procedural backgrounds). "
                         "box = tight box of the visible mask, xyxy in pixels, right/bottom exclusive; mask = "
                         "visible pixels whose upscaled intensity is > 0.2, COCO RLE (uncompressed, column-major).",
          "label_names": LABELS, "images": []}
    for name, img, items in demo_scenes():
        Image.fromarray(img).save(os.path.join(img_dir, name))
        gt["images"].append({"file": name, "height": img.shape[0], "width": img.shape[1], "items": [
            {"class": it["class"], "label": LABELS[it["class"]], "box": it["box"], "area": it["area"],
             "fashion_mnist_test_index": it["source_index"], "pasted_side": it["side"],
             "pasted_at": it["position"], "tint": it["tint"], "mask": rle(it["mask"])} for it in items]})
    with open(os.path.join(img_dir, "ground-truth.json"), "w") as f:
        json.dump(gt, f, indent=1)
    preds = {
        "description": "detectron2's own predictions of this model (GeneralizedRCNN.inference, eval mode) for "
                       "images/*.png: DatasetMapper-style test input (ResizeShortestEdge(256, 256), PIL bilinear "
                       "on the uint8 RGB image; image = CHW float RGB 0..255; height/width = original size), "
                       "so boxes are xyxy in original image pixels and masks are pasted at the original size "
                       "(threshold 0.5), COCO RLE uncompressed column-major. All detections with score > "
                       "test_score_thresh 0.05 (NMS 0.5, at most 100), in detectron2's order.",
        "detectron2_commit": D2_COMMIT, "torch": torch.__version__,
        "float64_note": _Float64Nms.__doc__.replace("\n    ", " ").strip() + " model.double() also turns the "
                        "pixel_mean/std buffers into float64 copies of their float32 values.",
        "label_names": LABELS,
    }
    for key, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        m = model.float() if dtype == torch.float32 else model.double()
        res = {}
        ctx = _Float64Nms() if dtype == torch.float64 else None
        if ctx:
            ctx.__enter__()
        try:
            for entry in gt["images"]:
                res[entry["file"]] = predict(m, os.path.join(img_dir, entry["file"]), dtype)
        finally:
            if ctx:
                ctx.__exit__()
        preds[key] = res
    model.float()
    with open(os.path.join(out_dir, "detectron2-predictions.json"), "w") as f:
        json.dump(preds, f)
    return preds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="output directory (must not exist), e.g. models/fashion-detector")
    ap.add_argument("--work", default="/tmp/fashion-detector-work", help="checkpoint / log directory")
    ap.add_argument("--skip-train", action="store_true", help="use WORK/model_final.pth as it is")
    ap.add_argument("--eval-images", type=int, default=EVAL_IMAGES)
    ap.add_argument("--init-vit", default="pretrain",
                    help="'pretrain' (default: stage 1, pretrain_backbone), 'none' (detectron2's random init) or "
                         "models/fashion-vit/model.safetensors (init_from_fashion_vit; tried, not better)")
    args = ap.parse_args()
    if os.path.exists(args.out):
        sys.exit(f"{args.out} exists; refusing to overwrite")
    torch.set_num_threads(THREADS)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    os.makedirs(args.work, exist_ok=True)
    model = instantiate(constructor())
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {n_params}", flush=True)
    init_note = "detectron2's own random initialisation"
    if not args.skip_train and args.init_vit not in ("none", "pretrain"):
        names = init_from_fashion_vit(model, args.init_vit)
        init_note = (f"ViT patch embedding and blocks ({len(names)} tensors) from models/fashion-vit (the project's "
                     "Fashion-MNIST classifier, trained on the training split), see init_from_fashion_vit; "
                     "everything else detectron2's own initialisation")
        print(init_note, flush=True)
    ckpt = os.path.join(args.work, "model_final.pth")
    rec_path = os.path.join(args.work, "training.json")
    if not args.skip_train:
        with open(os.path.join(args.work, "train.log"), "a") as log:
            pre_seconds = 0.0
            if args.init_vit == "pretrain":
                pre_seconds, (pre_loss, pre_acc) = pretrain_backbone(model, log, PRE_ITERS)
                init_note = (f"stage 1: ViT pre-trained alone for {PRE_ITERS} iterations of {PRE_BATCH} "
                             f"{PRE_SIZE}x{PRE_SIZE} one-item scenes ({pre_seconds:.0f} s; final smoothed training "
                             f"loss {pre_loss:.3f}, training accuracy {pre_acc:.3f}), see pretrain_backbone; the rest of the model "
                             "from detectron2's own initialisation")
                print(init_note, flush=True)
            seconds = train(model, args.work, log, MAX_SECONDS - pre_seconds)
        record = {"seconds": round(pre_seconds + seconds), "init": init_note}
    else:
        with open(rec_path) as f:
            record = json.load(f)
    state = torch.load(ckpt, map_location="cpu")
    model.load_state_dict(state["model"])
    metrics = evaluate(model, args.eval_images)
    print(json.dumps(metrics, indent=1), flush=True)
    record = {
        "command": "PYTHONPATH=$D2_SRC:tools/detectron2_stubs:$D2_DEPS:$TIMM_SRC python3 tools/train_fashion_detector.py "
                   "models/fashion-detector",
        "script": "tools/train_fashion_detector.py", "detectron2_commit": D2_COMMIT, "torch": torch.__version__,
        "seed": SEED, "iterations": int(state.get("iteration", ITERS)), "batch_size": BATCH,
        "optimizer": f"AdamW lr {LR} (linear warmup {WARMUP} iterations, cosine to {MIN_LR}), weight decay "
                     f"{WEIGHT_DECAY} (none on norms, biases, pos_embed, rel_pos), grad-norm clip {CLIP_NORM}",
        "hardware": f"CPU, {THREADS} thread(s) (a shared 2-core machine)",
        "training_seconds": record["seconds"],
        "initialisation": record["init"],
        "parameters": n_params,
        "data": "stage 2: synthetic 256x256 scenes (30% with a short side of 160..256 instead) with 1..5 "
                "Fashion-MNIST training-split items (40..120 px, bright random tints over darker procedural "
                "backgrounds, later items occluding earlier ones), generated on the fly (a new scene per image "
                "and iteration); stage 1: 64x64 one-item scenes of the same kind",
        "stages": [f"stage 1: ViT alone, {PRE_ITERS} iterations of {PRE_BATCH} 64x64 one-item scenes, AdamW lr "
                   f"{PRE_LR} (30 warm-up iterations, cosine to 0), mask-pooled classification with a temporary "
                   "head (pretrain_backbone)",
                   f"stage 2: the whole GeneralizedRCNN, detectron2's training losses, {ITERS} iterations of "
                   f"{BATCH} images"],
        "test": dict(metrics, description=f"{args.eval_images} synthetic 256x256 scenes from the test split "
                                          "(seeds [SEED, 2, k]); AP = COCO-style 101-point AP at IoU 0.5, mean "
                                          "over classes, all detections (score > 0.05)"),
    }
    with open(rec_path, "w") as f:
        json.dump({"seconds": record["training_seconds"], "init": record["initialisation"]}, f)
    preds = export(args.out, args.work, ckpt, record)
    for name, p in preds["float32"].items():
        print(name, "detections at score >= 0.5:", p["num_score_ge_0.5"], "of", p["num_instances"])


if __name__ == "__main__":
    main()
