#!/usr/bin/env python3
"""Converts a detectron2 checkpoint to a vitornado model directory: DIR/model.safetensors + DIR/config.json.

    python3 tools/convert_detectron2.py model_final_61ccd1.pkl models/mask-rcnn-vitdet-b --preset mask_rcnn_vitdet_b
    python3 tools/convert_detectron2.py model_final.pth models/my-model --constructor my-model.json [--labels a,b,c]

Input (the format is chosen by the file name):
  * .pkl, as detectron2's model zoo ships it: a pickle of {"model": {name: numpy array}, "__author__": ...,
    possibly "matching_heuristics": True}. Read with a restricted unpickler (numpy arrays, dicts, lists and
    scalars only) and numpy alone: no torch needed. A Caffe2 / Detectron1 pickle ({"blobs": ...} or no
    "model", names like conv1_w) is refused: its names need detectron2's C2 renaming.
  * .pth / .pt, saved by detectron2's Checkpointer or torch.save: {"model": state_dict, ...} (or a bare
    state_dict). Needs torch; loaded with weights_only=True unless --unsafe-pickle.

Output:
  * model.safetensors: every floating-point tensor of the checkpoint as float32, under detectron2's own
    parameter name (a "module." prefix that every name carries, left by DistributedDataParallel, is removed).
    Dropped: the pixel_mean / pixel_std buffers (they are constructor arguments), anchor cell buffers,
    BatchNorm's num_batches_tracked, Caffe2 "_momentum" blobs and any integer/bool entry. (ViTDet models hold
    no other buffer; BatchNorm running statistics, which a model with BN needs at inference, are kept.)
    Tensors sorted by name, header padded with spaces to a multiple of 8, string-only __metadata__.
  * config.json, one of
      --preset mask_rcnn_vitdet_b|l|h: {"preset", "num_classes": 80, "label_names": COCO's 80 names in
        detectron2's contiguous order, "category_ids": their COCO ids (1..90 with gaps), "converted_from"}
      --constructor FILE.json: FILE's JSON (which must hold "constructor": {"class":
        "detectron2.modeling.meta_arch.rcnn.GeneralizedRCNN", "args": {...}} in the format of
        shared/fixtures/vitdet_maskrcnn.json: {"class", "args"} instances, {"tuple": [...]} tuples,
        {"callable", "kwargs"} partials; any other keys, e.g. "training", are kept) with "label_names" from
        --labels a,b,c or FILE's own "label_names", "num_classes", optional "test": {"short_edge_length": N,
        "max_size": N} (FILE's, or --short-edge-length / --max-size) and "converted_from".
    "converted_from" records the input file's name, size and sha256, its format, the tensors dropped and
    whether it carried "matching_heuristics" (the names are written as they are either way).

Nothing is overwritten: the command fails if DIR/model.safetensors or DIR/config.json exists. Each file is
written to a temporary name in DIR, flushed to disk and then linked into place (atomic, no-clobber).
"""
import argparse
import collections
import hashlib
import json
import os
import pickle
import re
import struct
import sys

import numpy as np

COCO_LABELS = [
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
    "hair drier", "toothbrush",
]
COCO_IDS = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34,
    35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
]
# ViT width / depth of the official configs (projects/ViTDet/configs/COCO/mask_rcnn_vitdet_{b,l,h}_*.py)
PRESETS = {"mask_rcnn_vitdet_b": (768, 12), "mask_rcnn_vitdet_l": (1024, 24), "mask_rcnn_vitdet_h": (1280, 32)}
RCNN_CLASS = "detectron2.modeling.meta_arch.rcnn.GeneralizedRCNN"
DROP = re.compile(r"(^|\.)(pixel_mean|pixel_std|num_batches_tracked)$|(^|\.)cell_anchors\.\d+$|_momentum$")


class _NumpyUnpickler(pickle.Unpickler):
    """Only what a model-zoo pickle needs: numpy arrays / dtypes / scalars and OrderedDict."""
    ALLOWED = {
        ("collections", "OrderedDict"), ("builtins", "dict"), ("builtins", "list"), ("builtins", "tuple"),
        ("builtins", "set"), ("numpy", "ndarray"), ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
        ("_codecs", "encode"), ("builtins", "bytearray"),  # protocol 2 pickles encode bytes this way
    }

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            if module.startswith("numpy._core.") and not hasattr(np, "_core"):
                module = "numpy.core." + module[len("numpy._core."):]  # a numpy 2 pickle read by numpy 1
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name} (only numpy data is allowed)")


def load_pkl(path):
    with open(path, "rb") as f:
        try:
            data = _NumpyUnpickler(f, encoding="latin1").load()
        except pickle.UnpicklingError as e:
            raise SystemExit(f"{path}: {e}")
    if not isinstance(data, dict) or "model" not in data:
        raise SystemExit(f"{path}: no 'model' entry: a Caffe2/Detectron1 pickle, whose blob names need "
                         "detectron2's C2 renaming, is not supported")
    if data.get("__author__") == "Caffe2":
        raise SystemExit(f"{path}: a Caffe2-authored checkpoint (C2 names) is not supported")
    model = {k: np.asarray(v) for k, v in data["model"].items()}
    return model, bool(data.get("matching_heuristics", False))


def load_pth(path, unsafe):
    import torch
    try:
        data = torch.load(path, map_location="cpu", weights_only=not unsafe)
    except TypeError:  # torch older than 1.13 has no weights_only
        if not unsafe:
            raise SystemExit("this torch has no weights_only loading; rerun with --unsafe-pickle if the file is "
                             "trusted")
        data = torch.load(path, map_location="cpu")
    except pickle.UnpicklingError as e:
        raise SystemExit(f"{path}: {e}\n(it holds more than tensors and plain data; rerun with --unsafe-pickle "
                         "if the file is trusted)")
    if isinstance(data, dict) and "model" in data and isinstance(data["model"], dict):
        sd, heur = data["model"], bool(data.get("matching_heuristics", False))
    elif isinstance(data, dict) and "state_dict" in data and isinstance(data["state_dict"], dict):
        sd, heur = data["state_dict"], False
    elif isinstance(data, dict) and all(torch.is_tensor(v) for v in data.values()):
        sd, heur = data, False
    else:
        raise SystemExit(f"{path}: neither {{'model': state_dict}} nor a state_dict")
    out = {}
    for k, v in sd.items():
        if torch.is_tensor(v):
            out[k] = v.detach().cpu().numpy() if v.dtype != torch.bfloat16 else v.detach().float().cpu().numpy()
        else:
            out[k] = np.asarray(v)
    return out, heur


def select(model):
    """float32 tensors to keep (name -> array) and the names dropped."""
    names = list(model)
    if names and all(n.startswith("module.") for n in names):
        model = {n[len("module."):]: v for n, v in model.items()}
    keep, dropped = {}, []
    for name, a in model.items():
        if DROP.search(name) or a.dtype.kind not in "f":
            dropped.append(name)
            continue
        keep[name] = np.ascontiguousarray(a, dtype="<f4")
    if not keep:
        raise SystemExit("no floating-point tensors in the checkpoint")
    return keep, sorted(dropped)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _atomic_write(final, write):
    """write(f) into a temporary file next to final, fsync, then link it into place; never overwrites."""
    d = os.path.dirname(os.path.abspath(final))
    tmp = os.path.join(d, f".{os.path.basename(final)}.tmp-{os.getpid()}")
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, final)  # fails with FileExistsError instead of replacing
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_safetensors(f, tensors, metadata):
    header, offset = {}, 0
    for name in sorted(tensors):
        a = tensors[name]
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    for name in sorted(tensors):
        f.write(tensors[name].tobytes(order="C"))


def check_preset(preset, tensors):
    dim, depth = PRESETS[preset]
    problems = []
    pe = tensors.get("backbone.net.pos_embed")
    if pe is None or pe.shape[-1] != dim:
        problems.append(f"backbone.net.pos_embed {None if pe is None else list(pe.shape)}, expected width {dim}")
    if f"backbone.net.blocks.{depth - 1}.attn.qkv.weight" not in tensors or \
            f"backbone.net.blocks.{depth}.attn.qkv.weight" in tensors:
        problems.append(f"expected exactly {depth} ViT blocks")
    cls = tensors.get("roi_heads.box_predictor.cls_score.weight")
    if cls is None or cls.shape[0] != 81:
        problems.append(f"roi_heads.box_predictor.cls_score.weight {None if cls is None else list(cls.shape)}, "
                        "expected 81 rows (80 classes + background)")
    if problems:
        raise SystemExit(f"checkpoint does not look like {preset}:\n  " + "\n  ".join(problems))


def constructor_num_classes(spec):
    try:
        return int(spec["args"]["roi_heads"]["args"]["num_classes"])
    except (KeyError, TypeError, ValueError):
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description="detectron2 checkpoint -> DIR/model.safetensors + DIR/config.json",
                                 epilog="See the module docstring for the formats.")
    ap.add_argument("checkpoint", help="model_final_*.pkl (detectron2 model zoo) or .pth (Checkpointer/torch.save)")
    ap.add_argument("out_dir", help="output directory (created if missing; existing outputs are not replaced)")
    kind = ap.add_mutually_exclusive_group(required=True)
    kind.add_argument("--preset", choices=sorted(PRESETS), help="an official COCO ViTDet Mask R-CNN")
    kind.add_argument("--constructor", metavar="FILE.json", help="JSON with a 'constructor' (and more) to merge")
    ap.add_argument("--labels", help="comma-separated class names (with --constructor), in contiguous class order")
    ap.add_argument("--short-edge-length", type=int, help="test-time ResizeShortestEdge short edge (with --constructor)")
    ap.add_argument("--max-size", type=int, help="test-time ResizeShortestEdge max size (with --constructor)")
    ap.add_argument("--unsafe-pickle", action="store_true", help=".pth only: allow arbitrary pickled objects")
    args = ap.parse_args(argv)

    if args.preset and (args.labels or args.short_edge_length or args.max_size):
        ap.error("--labels / --short-edge-length / --max-size go with --constructor")
    model_path = os.path.join(args.out_dir, "model.safetensors")
    config_path = os.path.join(args.out_dir, "config.json")
    for p in (model_path, config_path):
        if os.path.lexists(p):
            raise SystemExit(f"{p} exists; refusing to overwrite")

    if args.constructor:
        with open(args.constructor) as f:
            config = json.load(f, object_pairs_hook=collections.OrderedDict)
        spec = config.get("constructor")
        if not isinstance(spec, dict) or "class" not in spec:
            raise SystemExit(f"{args.constructor}: no 'constructor': {{'class': ..., 'args': ...}}")
        if spec["class"] != RCNN_CLASS:
            print(f"warning: constructor class {spec['class']} (expected {RCNN_CLASS})", file=sys.stderr)
        if args.labels is not None:
            config["label_names"] = [s.strip() for s in args.labels.split(",")]
        n = constructor_num_classes(spec)
        labels = config.get("label_names")
        if labels is not None:
            if not isinstance(labels, list) or not all(isinstance(s, str) for s in labels):
                raise SystemExit("label_names must be a list of strings")
            if n is not None and len(labels) != n:
                raise SystemExit(f"{len(labels)} label names for num_classes {n}")
        else:
            print("warning: no label names (--labels or 'label_names')", file=sys.stderr)
        if n is not None:
            config.setdefault("num_classes", n)
        test = dict(config.get("test") or {})
        if args.short_edge_length is not None:
            test["short_edge_length"] = args.short_edge_length
        if args.max_size is not None:
            test["max_size"] = args.max_size
        if test:
            for k in ("short_edge_length", "max_size"):
                if not isinstance(test.get(k), int) or test[k] <= 0:
                    raise SystemExit(f"test.{k} must be a positive integer (got {test.get(k)!r})")
            config["test"] = test
    else:
        config = collections.OrderedDict(preset=args.preset, num_classes=80, label_names=list(COCO_LABELS),
                                         category_ids=list(COCO_IDS))

    ext = os.path.splitext(args.checkpoint)[1].lower()
    if ext == ".pkl":
        raw, heuristics = load_pkl(args.checkpoint)
        fmt = "detectron2 model zoo pickle"
    elif ext in (".pth", ".pt"):
        raw, heuristics = load_pth(args.checkpoint, args.unsafe_pickle)
        fmt = "torch checkpoint"
    else:
        raise SystemExit(f"{args.checkpoint}: expected .pkl, .pth or .pt")
    tensors, dropped = select(raw)
    if args.preset:
        check_preset(args.preset, tensors)
    else:
        n = config.get("num_classes")
        cls = tensors.get("roi_heads.box_predictor.cls_score.weight")
        if n is not None and cls is not None and cls.shape[0] != n + 1:
            raise SystemExit(f"cls_score has {cls.shape[0]} rows, expected num_classes + 1 = {n + 1}")
    config["converted_from"] = collections.OrderedDict(
        file=os.path.basename(args.checkpoint), bytes=os.path.getsize(args.checkpoint),
        sha256=sha256(args.checkpoint), format=fmt, matching_heuristics=heuristics, tensors=len(tensors),
        parameters=int(sum(a.size for a in tensors.values())), dropped=dropped)
    if heuristics:
        print("note: the checkpoint asks for detectron2's name-matching heuristics; names are written as they are",
              file=sys.stderr)

    os.makedirs(args.out_dir, exist_ok=True)
    _atomic_write(model_path, lambda f: write_safetensors(f, tensors, {"format": "pt"}))
    try:
        _atomic_write(config_path, lambda f: f.write((json.dumps(config, indent=1) + "\n").encode()))
    except BaseException:
        os.unlink(model_path)  # ours: it did not exist before
        raise
    print(f"wrote {model_path} ({len(tensors)} tensors, {config['converted_from']['parameters']} parameters, "
          f"{os.path.getsize(model_path)} bytes) and {config_path}; dropped {len(dropped)}: {', '.join(dropped)}")


if __name__ == "__main__":
    main()
