"""Reference forward pass of a BlazeFace TFLite graph, in NumPy (float64).

Interprets the .tflite file itself (operators, options, constants, read by
models/tflite_reader.py), in TFLite's NHWC layout and with TFLite's own
padding rules, independently of models/tflite-convert (which transposes
weights and precomputes paddings) and of the C engine. Operators: CONV_2D,
DEPTHWISE_CONV_2D, DEQUANTIZE, ADD, RELU, PAD, MAX_POOL_2D, RESIZE_BILINEAR,
RESHAPE, CONCATENATION — all the two MediaPipe detectors contain.

Also: letterboxing of an RGB frame (bilinear, black border), anchors, score
sigmoid and weighted non-maximum suppression, to check decoded detections.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "models"))
import blazeface_arch  # noqa: E402
import tflite_reader  # noqa: E402


def _same(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2, total - total // 2


def _pad_same(x, kh, kw, sh, sw, padding):
    _, h, w, _ = x.shape
    if padding == "same":
        oh, pt, pb = _same(h, kh, sh)
        ow, pl, pr = _same(w, kw, sw)
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    else:
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    return x, oh, ow


def _act(x, a):
    if a == "none":
        return x
    if a == "relu":
        return np.maximum(x, 0)
    raise ValueError("activation " + a)


class Graph:
    def __init__(self, path):
        self.m = tflite_reader.load(path)
        self.consts = {}
        for t in self.m.tensors:
            if t.data is None:
                continue
            dt = {tflite_reader.FLOAT16: "<f2", tflite_reader.FLOAT32: "<f4",
                  tflite_reader.INT32: "<i4"}[t.type]
            self.consts[t.index] = np.frombuffer(
                t.data, dtype=dt).reshape(t.shape)
        inp = self.m.tensors[self.m.inputs[0]]
        self.size = inp.shape[1]

    def run(self, x, dtype=np.float64):
        """x: [S, S, 3] float in [-1, 1]. Returns (score logits [N],
        regressors [N, 16]) computed in DTYPE (float64; float32 measures
        what float32 arithmetic itself costs)."""
        m = self.m
        v = dict((i, c.astype(dtype) if c.dtype != np.int32 else c)
                 for i, c in self.consts.items())
        v[m.inputs[0]] = np.asarray(x, dtype)[None]
        for op in m.operators:
            ins = [v[i] for i in op.inputs]
            want = m.tensors[op.outputs[0]].shape
            if op.code == "RESHAPE":    # target: the declared output shape
                out = ins[0].reshape(want)
            else:
                out = getattr(self, op.code.lower())(op.options, *ins)
            if list(out.shape) != list(want):
                raise ValueError("operator %d %s gave %s, graph says %s"
                                 % (op.index, op.code, out.shape, want))
            v[op.outputs[0]] = out
        outs = [v[i] for i in m.outputs]
        reg = [o for o in outs if o.shape[-1] == 16][0][0]
        sco = [o for o in outs if o.shape[-1] == 1][0][0, :, 0]
        return sco, reg

    # --- operators (NHWC) ---------------------------------------------------
    def dequantize(self, o, x):
        return x

    @staticmethod
    def _taps(o, x, kh, kw):
        """(i, j, the input samples tap (i, j) multiplies) of a conv."""
        sh, sw = o["stride_h"], o["stride_w"]
        xp, oh, ow = _pad_same(x, kh, kw, sh, sw, o["padding"])
        for i in range(kh):
            for j in range(kw):
                yield i, j, xp[:, i:i + sh * (oh - 1) + 1:sh,
                               j:j + sw * (ow - 1) + 1:sw, :]

    def conv_2d(self, o, x, w, b):
        y = sum(patch @ w[:, i, j, :].T
                for i, j, patch in self._taps(o, x, w.shape[1], w.shape[2]))
        return _act(y + b, o["activation"])

    def depthwise_conv_2d(self, o, x, w, b):
        y = sum(patch * w[0, i, j, :]
                for i, j, patch in self._taps(o, x, w.shape[1], w.shape[2]))
        return _act(y + b, o["activation"])

    def add(self, o, a, b):
        return _act(a + b, o["activation"])

    def relu(self, o, x):
        return np.maximum(x, 0)

    def pad(self, o, x, p):
        return np.pad(x, [tuple(r) for r in p])

    def max_pool_2d(self, o, x):
        kh, kw = o["filter_h"], o["filter_w"]
        sh, sw = o["stride_h"], o["stride_w"]
        _, h, w, c = x.shape
        if o["padding"] == "same":
            oh, pt, pb = _same(h, kh, sh)
            ow, pl, pr = _same(w, kw, sw)
            x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)),
                       constant_values=-np.inf)
        else:
            oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        y = np.full((1, oh, ow, c), -np.inf)
        for i in range(kh):
            for j in range(kw):
                y = np.maximum(y, x[:, i:i + sh * (oh - 1) + 1:sh,
                                    j:j + sw * (ow - 1) + 1:sw, :])
        return y

    def resize_bilinear(self, o, x, size):
        _, h, w, _ = x.shape
        oh, ow = int(size[0]), int(size[1])

        def coords(n_out, n_in):
            scale = n_in / n_out
            if o["align_corners"] and n_out > 1:
                scale = (n_in - 1) / (n_out - 1)
            if o["half_pixel_centers"]:
                src = (np.arange(n_out) + 0.5) * scale - 0.5
            else:
                src = np.arange(n_out) * scale
            lo = np.floor(src)
            frac = src - lo
            i0 = np.clip(lo, 0, n_in - 1).astype(int)
            i1 = np.clip(lo + 1, 0, n_in - 1).astype(int)
            return i0, i1, frac

        y0, y1, fy = coords(oh, h)
        x0, x1, fx = coords(ow, w)
        top = x[:, y0] * (1 - fy)[None, :, None, None] + \
            x[:, y1] * fy[None, :, None, None]
        return top[:, :, x0] * (1 - fx)[None, None, :, None] + \
            top[:, :, x1] * fx[None, None, :, None]

    def concatenation(self, o, *xs):
        return np.concatenate(xs, axis=o["axis"])


# --- pre- and post-processing ----------------------------------------------

def letterbox(rgb, size):
    """rgb: [H, W, 3] uint8. Returns ([S, S, 3] float in [-1, 1], scale,
    pad_x, pad_y): in tensor pixels, tensor_x = frame_x * scale + pad_x.
    Bilinear with pixel centres, black (-1) outside the frame."""
    h, w, _ = rgb.shape
    scale = size / max(w, h)
    pad_x = (size - w * scale) / 2
    pad_y = (size - h * scale) / 2
    ty, tx = np.mgrid[0:size, 0:size].astype(np.float64)
    fx = (tx + 0.5 - pad_x) / scale - 0.5
    fy = (ty + 0.5 - pad_y) / scale - 0.5
    inside = ((tx + 0.5 >= pad_x) & (tx + 0.5 <= size - pad_x) &
              (ty + 0.5 >= pad_y) & (ty + 0.5 <= size - pad_y))
    x0 = np.floor(fx)
    y0 = np.floor(fy)
    ax = fx - x0
    ay = fy - y0
    img = rgb.astype(np.float64)

    def px(yy, xx):
        return img[np.clip(yy, 0, h - 1).astype(int),
                   np.clip(xx, 0, w - 1).astype(int)]
    val = (px(y0, x0) * ((1 - ax) * (1 - ay))[..., None] +
           px(y0, x0 + 1) * (ax * (1 - ay))[..., None] +
           px(y0 + 1, x0) * ((1 - ax) * ay)[..., None] +
           px(y0 + 1, x0 + 1) * (ax * ay)[..., None])
    out = val / 127.5 - 1.0
    out[~inside] = -1.0
    return out, scale, pad_x, pad_y


def decode(scores, regs, size, min_score, iou=blazeface_arch.NMS_IOU):
    """Detections in tensor-normalised coordinates: list of (score,
    [xmin, ymin, xmax, ymax, kx0, ky0, ... kx5, ky5]) after weighted NMS."""
    anchors = np.array(blazeface_arch.anchors(size))
    s = 1 / (1 + np.exp(-np.clip(scores, -blazeface_arch.SCORE_CLIP,
                                 blazeface_arch.SCORE_CLIP)))
    r = regs / size
    cx = r[:, 0] + anchors[:, 0]
    cy = r[:, 1] + anchors[:, 1]
    w, h = r[:, 2], r[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
    kp = r[:, 4:].reshape(-1, 6, 2) + anchors[:, None, :]
    full = np.concatenate([boxes, kp.reshape(-1, 12)], 1)
    idx = [i for i in np.argsort(-s, kind="stable") if s[i] >= min_score]
    out = []
    while idx:
        b = boxes[idx[0]]
        ious = []
        for j in idx:
            o = boxes[j]
            iw = max(0.0, min(b[2], o[2]) - max(b[0], o[0]))
            ih = max(0.0, min(b[3], o[3]) - max(b[1], o[1]))
            inter = iw * ih
            union = ((b[2] - b[0]) * (b[3] - b[1]) +
                     (o[2] - o[0]) * (o[3] - o[1]) - inter)
            ious.append(inter / union if union > 0 else 0.0)
        group = [j for j, v in zip(idx, ious) if v >= iou]
        rest = [j for j, v in zip(idx, ious) if v < iou]
        wts = s[group]
        out.append((float(s[idx[0]]),
                    (full[group] * wts[:, None]).sum(0) / wts.sum()))
        idx = rest
    return out


def to_frame(det, size, scale, pad_x, pad_y):
    """Tensor-normalised coordinates -> frame pixels."""
    v = det.copy()
    v[0::2] = (v[0::2] * size - pad_x) / scale
    v[1::2] = (v[1::2] * size - pad_y) / scale
    return v
