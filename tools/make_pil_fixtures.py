#!/usr/bin/env python3
"""Test images in every mode PIL opens, with the pixels PIL decodes from them: the fixture of vitornado's image
reader, which must see what timm's and Hugging Face's preprocessing see (``Image.open(f).convert("RGB")``).

For each image NAME it writes NAME.<ext> and NAME.rgb, the raw uint8 [height, width, 3] of ``convert("RGB")``;
files PIL refuses (truncated, not an image) are listed as errors. For a few images it also writes the tensors timm's
eval transform (``timm.data.create_transform``) and Hugging Face's ViTImageProcessor steps make, as raw float32
[3, H, W]. manifest.json describes everything, with the versions that made it.

Debian bookworm: apt-get install python3-pil python3-numpy python3-torch python3-torchvision libjpeg62-turbo-dev
  cc -O2 -o /tmp/ycck_jpeg tools/ycck_jpeg.c -ljpeg
  TIMM_SRC=<timm checkout at v1.0.28> /usr/bin/python3 tools/make_pil_fixtures.py model/src/test/resources/pil
"""
import io
import json
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import PIL
from PIL import Image, ImageCms

OUT = sys.argv[1]
YCCK = os.environ.get("YCCK_JPEG", "/tmp/ycck_jpeg")
WIDTH, HEIGHT = 37, 23
rng = np.random.default_rng(20261201)


def picture(w, h, channels):
    """Smooth gradients, a few edges and some noise: what a photo asks of a decoder and a resampler."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        p = 127 + 100 * np.sin(x / (4 + 2 * c) + c) * np.cos(y / (5 + c))
        p += np.where((x + 2 * y + 7 * c) % 23 < 6, 60, 0)
        p += rng.normal(0, 12, size=(h, w))
        planes.append(np.clip(p, 0, 255))
    return np.stack(planes, axis=-1).round().astype(np.uint8)


def png(path, width, height, bit_depth, color_type, samples, plte=None, trns=None, extra=()):
    """A PNG written by hand, for the bit depths and chunks PIL does not write; samples [h, w, c] of ints."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    raw = bytearray()
    for row in samples.reshape(height, width * channels):
        raw.append(0)  # filter: none
        if bit_depth == 16:
            raw += b"".join(struct.pack(">H", int(v)) for v in row)
        elif bit_depth == 8:
            raw += bytes(int(v) for v in row)
        else:
            per = 8 // bit_depth
            for i in range(0, len(row), per):
                byte = 0
                for j in range(per):
                    v = int(row[i + j]) if i + j < len(row) else 0
                    byte |= v << (8 - bit_depth * (j + 1))
                raw.append(byte)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    for kind, data in extra:
        out += chunk(kind, data)
    if plte is not None:
        out += chunk(b"PLTE", bytes(int(v) for v in plte))
    if trns is not None:
        out += chunk(b"tRNS", bytes(int(v) for v in trns))
    out += chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


manifest = {"pillow": PIL.__version__, "numpy": np.__version__, "images": {}, "errors": {}, "preprocessing": {}}


def expect(name, ext, note):
    path = os.path.join(OUT, name + "." + ext)
    with Image.open(path) as im:
        mode = im.mode
        rgb = np.asarray(im.convert("RGB"))
    rgb.tofile(os.path.join(OUT, name + ".rgb"))
    manifest["images"][name] = {"file": name + "." + ext, "pil_mode": mode, "width": rgb.shape[1], "height": rgb.shape[0], "note": note}


def refused(name, ext, data, note):
    path = os.path.join(OUT, name + "." + ext)
    with open(path, "wb") as f:
        f.write(data)
    try:
        with Image.open(path) as im:
            im.convert("RGB")
    except Exception as e:  # PIL refuses it: so must we
        manifest["errors"][name] = {"file": name + "." + ext, "pil_error": f"{type(e).__name__}: {e}", "note": note}
        return
    raise SystemExit(f"PIL decoded {name}: not an error case")


os.makedirs(OUT, exist_ok=True)
w, h = WIDTH, HEIGHT
grey = picture(w, h, 1)
rgb = picture(w, h, 3)
alpha = picture(w, h, 1)

# PNG, every colour type and bit depth.
for bits in (1, 2, 4):
    png(f"{OUT}/grey{bits}.png", w, h, bits, 0, grey >> (8 - bits))
    expect(f"grey{bits}", "png", f"{bits}-bit grey: PIL scales to 0..255")
png(f"{OUT}/grey8.png", w, h, 8, 0, grey)
expect("grey8", "png", "8-bit grey (Java converts linear grey to sRGB if asked for RGB)")
png(f"{OUT}/grey8_trns.png", w, h, 8, 0, grey, trns=[0, int(grey[0, 0, 0])])
expect("grey8_trns", "png", "8-bit grey with a transparent value: ignored by convert('RGB')")
grey16 = (grey.astype(np.int64) * 4 + np.arange(w)[None, :, None] * 7) % 1024
grey16[0, :5, 0] = [0, 1, 254, 255, 65535]
png(f"{OUT}/grey16.png", w, h, 16, 0, grey16)
expect("grey16", "png", "16-bit grey: PIL opens mode I and clips to 0..255")
png(f"{OUT}/la8.png", w, h, 8, 4, np.concatenate([grey, alpha], axis=-1))
expect("la8", "png", "grey + alpha: alpha dropped")
png(f"{OUT}/la16.png", w, h, 16, 4, np.minimum(np.concatenate([grey, alpha], axis=-1).astype(np.int64) * 257 + 3, 65535))
expect("la16", "png", "16-bit grey + alpha: PIL keeps the high byte")
png(f"{OUT}/rgb8.png", w, h, 8, 2, rgb)
expect("rgb8", "png", "8-bit RGB")
png(f"{OUT}/rgb16.png", w, h, 16, 2, np.minimum(rgb.astype(np.int64) * 257 + 100, 65535))
expect("rgb16", "png", "16-bit RGB: PIL keeps the high byte")
png(f"{OUT}/rgba8.png", w, h, 8, 6, np.concatenate([rgb, alpha], axis=-1))
expect("rgba8", "png", "RGBA: alpha dropped, not composited")
png(f"{OUT}/rgba16.png", w, h, 16, 6, np.minimum(np.concatenate([rgb, alpha], axis=-1).astype(np.int64) * 257 + 1, 65535))
expect("rgba16", "png", "16-bit RGBA: high byte, alpha dropped")
palette = rng.integers(0, 256, size=(16, 3))
index4 = (grey[:, :, 0].astype(np.int64) * 16 // 256)[:, :, None]
png(f"{OUT}/p4.png", w, h, 4, 3, index4, plte=palette.flatten(), trns=[0, 128, 255])
expect("p4", "png", "4-bit palette with tRNS: palette colours, transparency ignored")
palette8 = rng.integers(0, 256, size=(256, 3))
png(f"{OUT}/p8.png", w, h, 8, 3, grey, plte=palette8.flatten())
expect("p8", "png", "8-bit palette")
png(f"{OUT}/p1.png", w, h, 1, 3, grey >> 7, plte=[10, 20, 30, 200, 210, 220])
expect("p1", "png", "1-bit palette")
png(f"{OUT}/rgb8_gamma.png", w, h, 8, 2, rgb, extra=[(b"gAMA", struct.pack(">I", 100000))])
expect("rgb8_gamma", "png", "gAMA 1.0: PIL ignores gamma")
srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
png(f"{OUT}/rgb8_icc.png", w, h, 8, 2, rgb, extra=[(b"iCCP", b"sRGB\x00\x00" + zlib.compress(srgb))])
expect("rgb8_icc", "png", "iCCP profile: PIL ignores it")

# JPEG, every flavour.
Image.fromarray(grey[:, :, 0], "L").save(f"{OUT}/grey.jpg", quality=90)
expect("grey", "jpg", "grey JPEG")
for name, sub in (("rgb420", 2), ("rgb422", 1), ("rgb444", 0)):
    Image.fromarray(rgb, "RGB").save(f"{OUT}/{name}.jpg", quality=90, subsampling=sub)
    expect(name, "jpg", f"YCbCr JPEG, chroma subsampling {name[3:]}")
Image.fromarray(rgb, "RGB").save(f"{OUT}/progressive.jpg", quality=85, progressive=True)
expect("progressive", "jpg", "progressive JPEG")
Image.fromarray(rgb, "RGB").save(f"{OUT}/icc.jpg", quality=90, icc_profile=srgb)
expect("icc", "jpg", "ICC-tagged JPEG: PIL keeps the decoded values")
cmyk = picture(w, h, 4)
Image.fromarray(cmyk, "CMYK").save(f"{OUT}/cmyk.jpg", quality=92)
expect("cmyk", "jpg", "Adobe CMYK JPEG (PIL reads CMYK inverted, then its naive CMYK to RGB)")
subprocess.run([YCCK, str(w), str(h)], input=(255 - cmyk).tobytes(), stdout=open(f"{OUT}/ycck.jpg", "wb"), check=True)
expect("ycck", "jpg", "Adobe YCCK JPEG, as Photoshop writes CMYK")

# Other formats timm's loader meets.
Image.fromarray(grey[:, :, 0], "L").convert("P", palette=Image.ADAPTIVE, colors=32).save(f"{OUT}/anim.gif")
expect("anim", "gif", "GIF (palette)")
Image.fromarray(rgb, "RGB").save(f"{OUT}/rgb.bmp")
expect("rgb", "bmp", "BMP")

# Files PIL refuses.
with open(f"{OUT}/rgb420.jpg", "rb") as f:
    jpeg = f.read()
refused("truncated", "jpg", jpeg[: len(jpeg) * 6 // 10], "the first 60% of a JPEG")
with open(f"{OUT}/rgb8.png", "rb") as f:
    png_bytes = f.read()
refused("truncated_png", "png", png_bytes[: len(png_bytes) * 6 // 10], "the first 60% of a PNG")
refused("text", "png", b"this is not an image\n", "text named .png")

# Preprocessing: timm's eval transform and Hugging Face ViTImageProcessor's steps, on a photo-like image.
photo = picture(61, 47, 3)
Image.fromarray(photo, "RGB").save(f"{OUT}/photo.jpg", quality=95)
expect("photo", "jpg", "photo-like RGB for the preprocessing fixtures")

sys.path.insert(0, os.environ["TIMM_SRC"])
import timm  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from timm.data import create_transform  # noqa: E402

manifest["timm"] = timm.__version__
manifest["torch"] = torch.__version__
manifest["torchvision"] = torchvision.__version__
timm_configs = {
    "bicubic_0875": {"input_size": [3, 32, 32], "interpolation": "bicubic", "crop_pct": 0.875,
                     "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
    "bilinear_1": {"input_size": [3, 24, 40], "interpolation": "bilinear", "crop_pct": 1.0,
                   "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
    "bicubic_09_up": {"input_size": [3, 96, 96], "interpolation": "bicubic", "crop_pct": 0.9,
                      "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
}
for image in ("photo", "grey8", "cmyk"):
    src = manifest["images"][image]["file"]
    for cfg_name, cfg in timm_configs.items():
        t = create_transform(input_size=tuple(cfg["input_size"]), interpolation=cfg["interpolation"], crop_pct=cfg["crop_pct"],
                             mean=tuple(cfg["mean"]), std=tuple(cfg["std"]), crop_mode="center")
        with Image.open(os.path.join(OUT, src)) as im:
            x = t(im.convert("RGB")).numpy().astype(np.float32)
        name = f"{image}.timm_{cfg_name}"
        x.tofile(os.path.join(OUT, name + ".f32"))
        manifest["preprocessing"][name] = {"image": image, "kind": "timm", "pretrained_cfg": cfg, "shape": list(x.shape),
                                           "transform": str(t)}

# Hugging Face ViTImageProcessor (transformers' image_transforms.resize / rescale / normalize): PIL resize of the uint8
# image to (height, width) with `resample`, then image * (1/255) in float64, cast to float32, then (x - mean) / std.
hf_configs = {"bilinear_24x40": {"size": {"height": 24, "width": 40}, "resample": 2, "image_mean": [0.5, 0.5, 0.5],
                                 "image_std": [0.5, 0.5, 0.5]},
              "bicubic_64": {"size": {"height": 64, "width": 64}, "resample": 3, "image_mean": [0.485, 0.456, 0.406],
                             "image_std": [0.229, 0.224, 0.225]}}
for image in ("photo", "rgba8"):
    src = manifest["images"][image]["file"]
    for cfg_name, cfg in hf_configs.items():
        with Image.open(os.path.join(OUT, src)) as im:
            resized = im.convert("RGB").resize((cfg["size"]["width"], cfg["size"]["height"]), resample=cfg["resample"], reducing_gap=None)
        x = (np.asarray(resized) * (1 / 255)).astype(np.float32)
        x = (x - np.array(cfg["image_mean"], dtype=np.float32)) / np.array(cfg["image_std"], dtype=np.float32)
        x = x.transpose(2, 0, 1).astype(np.float32)
        name = f"{image}.hf_{cfg_name}"
        x.tofile(os.path.join(OUT, name + ".f32"))
        manifest["preprocessing"][name] = {"image": image, "kind": "huggingface", "preprocessor_config": cfg, "shape": list(x.shape)}

with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
print(f"{len(manifest['images'])} images, {len(manifest['errors'])} refused files, {len(manifest['preprocessing'])} tensors in {OUT}")
