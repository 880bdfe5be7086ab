#!/usr/bin/env python3
"""Trains the bundled demo model: a small timm VisionTransformer on Fashion-MNIST, and writes it as a
timm-Hub-style checkpoint directory with about 100 real test images and the predictions PyTorch made for them.

    PYTHONPATH=$TIMM_SRC python3 tools/train_fashion_vit.py models/fashion-vit

Needs Debian's python3-torch (with libopenblas0-pthread: the reference BLAS makes it 5x slower), python3-pil, python3-numpy and
dataset-fashion-mnist (or FASHION_MNIST=DIR with the
four idx .gz files), and a timm v1.0.28 checkout on PYTHONPATH. Deterministic for a given seed on one machine
(torch's CPU kernels are; thread count is fixed to 2).

The architecture is timm's vit_tiny_patch16_224 with model_args overriding its size (28x28 input, patch 7,
embed 96, depth 4, heads 3), which is how a timm Hub config.json describes a variant: timm.create_model with
pretrained_cfg_overlay / the Hub loader builds the same module from this config.json.
"""
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import timm
from timm.data import create_transform, resolve_data_config

SEED = 0
EPOCHS = int(os.environ.get("EPOCHS", "6"))
BATCH = 128
LR = 2e-3
WEIGHT_DECAY = 0.05
PER_CLASS = 10  # bundled test images per class
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
FOLDERS = ["t-shirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle_boot"]
MODEL_ARGS = dict(img_size=28, patch_size=7, embed_dim=96, depth=4, num_heads=3, mlp_ratio=4.0)
MEAN, STD = 0.2860, 0.3530  # the training set's pixel statistics on the 0..1 scale


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = [struct.unpack(">I", data[4 + 4 * i:8 + 4 * i])[0] for i in range(magic & 0xFF)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def save_safetensors(tensors, path):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype("<f4"))
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        blobs.append(a.tobytes())
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def normalise(x):
    """uint8 [N, 28, 28] -> float [N, 3, 28, 28] as PIL convert("RGB") + ToTensor + Normalize would give."""
    x = torch.from_numpy(x).float().div(255)
    x = (x - MEAN) / STD
    return x.unsqueeze(1).expand(-1, 3, -1, -1)


def augment(x, g):
    """Random crop with 2 pixels of zero (black) padding and horizontal flips, on uint8 images."""
    n = x.shape[0]
    padded = np.zeros((n, 32, 32), np.uint8)
    padded[:, 2:30, 2:30] = x
    dy = torch.randint(0, 5, (n,), generator=g).numpy()
    dx = torch.randint(0, 5, (n,), generator=g).numpy()
    flip = torch.rand(n, generator=g).numpy() < 0.5
    out = np.empty_like(x)
    for i in range(n):
        crop = padded[i, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28]
        out[i] = crop[:, ::-1] if flip[i] else crop
    return out


def evaluate(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for s in range(0, len(images), 500):
            logits = model(normalise(images[s:s + 500]))
            correct += (logits.argmax(-1).numpy() == labels[s:s + 500]).sum()
    return correct / len(images)


def main():
    out = sys.argv[1]
    data = os.environ.get("FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
    train_x = idx(f"{data}/train-images-idx3-ubyte.gz")
    train_y = idx(f"{data}/train-labels-idx1-ubyte.gz").astype(np.int64)
    test_x = idx(f"{data}/t10k-images-idx3-ubyte.gz")
    test_y = idx(f"{data}/t10k-labels-idx1-ubyte.gz").astype(np.int64)

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    g = torch.Generator().manual_seed(SEED)
    model = timm.create_model("vit_tiny_patch16_224", pretrained=False, num_classes=10, **MODEL_ARGS)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    steps = EPOCHS * math.ceil(len(train_x) / BATCH)
    warmup = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / max(1, steps - warmup))))
    t0 = time.time()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train_x), generator=g).numpy()
        total = 0.0
        for s in range(0, len(order), BATCH):
            b = order[s:s + BATCH]
            logits = model(normalise(augment(train_x[b], g)))
            loss = F.cross_entropy(logits, torch.from_numpy(train_y[b]), label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(b)
        acc = evaluate(model, test_x, test_y)
        print(f"epoch {epoch + 1}/{EPOCHS}: loss {total / len(order):.4f}, test accuracy {acc:.4f} ({time.time() - t0:.0f} s)", flush=True)
    accuracy = evaluate(model, test_x, test_y)

    os.makedirs(out, exist_ok=True)
    save_safetensors(model.state_dict(), f"{out}/model.safetensors")
    pretrained_cfg = {"input_size": [3, 28, 28], "interpolation": "bilinear", "crop_pct": 1.0, "crop_mode": "center",
                      "mean": [MEAN] * 3, "std": [STD] * 3, "num_classes": 10, "first_conv": "patch_embed.proj",
                      "classifier": "head"}
    config = {"architecture": "vit_tiny_patch16_224", "num_classes": 10, "num_features": MODEL_ARGS["embed_dim"],
              "global_pool": "token", "model_args": MODEL_ARGS, "pretrained_cfg": pretrained_cfg, "label_names": LABELS,
              "training": {"script": "tools/train_fashion_vit.py", "dataset": "Fashion-MNIST (MIT licence), 60,000 training images",
                           "seed": SEED, "epochs": EPOCHS, "batch": BATCH, "lr": LR, "weight_decay": WEIGHT_DECAY,
                           "torch": torch.__version__, "timm": timm.__version__,
                           "test_accuracy": round(float(accuracy), 4), "test_images": len(test_x)}}
    with open(f"{out}/config.json", "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")

    # The bundled test images: the first PER_CLASS of each class in the test set, as the grey PNGs PIL writes.
    # Their predictions are recorded through the exact upstream path: PIL reads the file, timm's eval transform
    # from this pretrained_cfg makes the tensor, the model classifies it.
    model.eval()
    transform = create_transform(**resolve_data_config(pretrained_cfg=pretrained_cfg), is_training=False)
    rows = []
    for k in range(10):
        os.makedirs(f"{out}/test-images/{FOLDERS[k]}", exist_ok=True)
        for i in [int(j) for j in np.nonzero(test_y == k)[0][:PER_CLASS]]:
            rel = f"{FOLDERS[k]}/{i:05d}.png"
            Image.fromarray(test_x[i], mode="L").save(f"{out}/test-images/{rel}")
            x = transform(Image.open(f"{out}/test-images/{rel}").convert("RGB")).unsqueeze(0)
            with torch.no_grad():
                p = model(x).softmax(-1)[0].double().numpy()
            top = np.argsort(-p, kind="stable")[:5]
            rows.append((rel, k, [int(t) for t in top], [float(p[t]) for t in top]))
    with open(f"{out}/test-images/pytorch-predictions.csv", "w") as f:
        f.write("file,label,top5,top5_probabilities\n")
        for rel, k, top, probs in rows:
            f.write(f"{rel},{k},{' '.join(map(str, top))},{' '.join(f'{q:.6f}' for q in probs)}\n")
    bundled = sum(1 for r in rows if r[2][0] == r[1]) / len(rows)
    print(f"test accuracy {accuracy:.4f} on {len(test_x)} images; bundled {len(rows)} images: {bundled:.2f} top-1")


if __name__ == "__main__":
    main()
