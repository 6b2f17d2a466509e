"""The DDAMFN architecture as data: every tensor of the released state-dict
layout, in state-dict order, plus label presets and AU names.

Written from docs/network.md. Standard library only, no output;
imported by models/ddamfn-convert and by the tests.

Heads are given as the string "single" (released DDAMFN / DDAMFN++ layout:
`fc` with K classes and the unused 1-D `bn`) or as a non-empty subset of
{"va", "expression", "au"} (ABAW multitask layout: `custom_classifier.dense`
always, then the chosen heads).
"""

HEAD_NAMES = ("expression", "va", "au")     # order used in metadata 'heads'
N_AU = 12
MAX_CLASSES = 16
FEATURE_CHANNELS = 512
NUM_ATTENTION_HEADS = 2

AU_NAMES = ("AU1", "AU2", "AU4", "AU6", "AU7", "AU10", "AU12", "AU15",
            "AU23", "AU24", "AU25", "AU26")

_AFFECTNET7 = ("Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust",
               "Angry")
LABEL_PRESETS = {
    "affectnet7": _AFFECTNET7,
    "affectnet8": _AFFECTNET7 + ("Contempt",),
    "rafdb": _AFFECTNET7,
    "abaw": ("Neutral", "Anger", "Disgust", "Fear", "Happiness", "Sadness",
             "Surprise", "Other"),
}

INPUT_SIZE = 112
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

# Backbone table of the network page: (index, kind, parameters).
#   conv:     (cin, cout, kh, kw, groups)
#   mixdw:    (cin, cout, g, kernels, splits)            (one block)
#   residual: (c, n, g, kernels, splits)                 (n blocks c -> c)
BACKBONE = (
    (0, "conv", (3, 64, 3, 3, 1)),
    (1, "conv", (64, 64, 3, 3, 64)),
    (2, "mixdw", (64, 64, 128, (3, 5, 7), (64, 32, 32))),
    (3, "residual", (64, 9, 128, (3, 5), (96, 32))),
    (4, "mixdw", (64, 128, 256, (3, 5, 7), (128, 64, 64))),
    (5, "residual", (128, 16, 256, (3, 5), (192, 64))),
    (6, "mixdw", (128, 256, 1024, (3, 5, 7, 9), (256, 256, 256, 256))),
    (7, "residual", (256, 6, 512, (3, 5, 7), (172, 170, 170))),
    (8, "conv", (256, 512, 1, 1, 1)),
)


def coordatt_mip(c):
    """Width of the coordinate-attention bottleneck."""
    return max(8, c // 32)


def _bn(prefix, c):
    return [(prefix + ".weight", [c]), (prefix + ".bias", [c]),
            (prefix + ".running_mean", [c]), (prefix + ".running_var", [c]),
            (prefix + ".num_batches_tracked", [])]


def _conv_block(p, cin, cout, kh, kw, groups):
    return ([(p + ".conv.weight", [cout, cin // groups, kh, kw])]
            + _bn(p + ".bn", cout) + [(p + ".prelu.weight", [cout])])


def _linear_block(p, cin, cout, kh, kw, groups):
    return [(p + ".conv.weight", [cout, cin // groups, kh, kw])] + \
        _bn(p + ".bn", cout)


def _mdconv(p, c, kernels, splits):
    out = [("%s.mixed_depthwise_conv.%d.weight" % (p, i), [s, 1, k, k])
           for i, (k, s) in enumerate(zip(kernels, splits))]
    # Stored in the checkpoints, not applied by the network.
    return out + _bn(p + ".bn", c) + [(p + ".prelu.weight", [c])]


def _coordatt_convs(p, c):
    mip = coordatt_mip(c)
    return ([(p + ".conv1.weight", [mip, c, 1, 1]), (p + ".conv1.bias", [mip])]
            + _bn(p + ".bn1", mip)
            + [(p + ".conv2.weight", [c, mip, 1, 1]), (p + ".conv2.bias", [c]),
               (p + ".conv3.weight", [c, mip, 1, 1]), (p + ".conv3.bias", [c])])


def _mixdw(p, cin, cout, g, kernels, splits):
    assert sum(splits) == g and len(kernels) == len(splits)
    return (_conv_block(p + ".conv", cin, g, 1, 1, 1)
            + _mdconv(p + ".conv_dw", g, kernels, splits)
            + _coordatt_convs(p + ".CA", g)
            + _linear_block(p + ".project", g, cout, 1, 1, 1))


def _backbone():
    out = []
    for idx, kind, a in BACKBONE:
        p = "features.%d" % idx
        if kind == "conv":
            out += _conv_block(p, *a)
        elif kind == "mixdw":
            out += _mixdw(p, *a)
        else:
            c, n, g, kernels, splits = a
            for j in range(n):
                out += _mixdw("%s.model.%d" % (p, j), c, c, g, kernels, splits)
    return out


def _attention_head(i):
    c = FEATURE_CHANNELS
    p = "cat_head%d.CoordAtt" % i
    return (_linear_block(p + ".Linear_h", c, c, 1, 7, c)
            + _linear_block(p + ".Linear_w", c, c, 7, 1, c)
            + _coordatt_convs(p, c)
            # 7x7 LinearBlock stored in the checkpoints, not applied.
            + _linear_block(p + ".Linear", c, c, 7, 7, c))


def _dense(p, cin, cout):
    return [(p + ".weight", [cout, cin]), (p + ".bias", [cout])]


def normalize_heads(heads):
    """'single' stays 'single'; a multitask head collection becomes a
    frozenset. Raises ValueError on anything else."""
    if isinstance(heads, str):
        if heads == "single":
            return "single"
        heads = [h for h in heads.split(",") if h]
    hs = frozenset(heads)
    if not hs:
        raise ValueError("no heads given")
    bad = hs - set(HEAD_NAMES)
    if bad:
        raise ValueError("unknown head(s): %s" % ", ".join(sorted(bad)))
    return hs


def heads_string(heads):
    """Value of the metadata 'heads' entry: comma list in the order
    expression, va, au ('single' provides expression only)."""
    heads = normalize_heads(heads)
    if heads == "single":
        return "expression"
    return ",".join(h for h in HEAD_NAMES if h in heads)


def expected_tensors(heads, n_expr):
    """Ordered list of (name, shape) of every tensor of the released layout,
    in PyTorch state-dict order, including the stored-but-unused tensors and
    BatchNorm num_batches_tracked (shape [], int64 in checkpoints).

    heads: 'single' or a non-empty subset of {'va', 'expression', 'au'}.
    n_expr: number of expression classes K (ignored, may be None, when a
    multitask layout has no expression head)."""
    heads = normalize_heads(heads)
    has_expr = heads == "single" or "expression" in heads
    if has_expr and (not isinstance(n_expr, int) or
                     not 1 <= n_expr <= MAX_CLASSES):
        raise ValueError("number of expression classes must be 1..%d, got %r"
                         % (MAX_CLASSES, n_expr))
    c = FEATURE_CHANNELS
    out = _backbone()
    for i in range(NUM_ATTENTION_HEADS):
        out += _attention_head(i)
    out += _linear_block("Linear", c, c, 7, 7, c)
    if heads == "single":
        out += _dense("fc", c, n_expr)
        out += _bn("bn", n_expr)            # BatchNorm1d, stored, not applied
    else:
        p = "custom_classifier"
        out += _dense(p + ".dense", c, c)
        if "va" in heads:
            out += _dense(p + ".val_arousal", c, 2)
        if "expression" in heads:
            out += _dense(p + ".emotions", c, n_expr)
        if "au" in heads:
            out += _dense(p + ".actions", c, N_AU)
    return out


def detect_heads(names_to_shapes):
    """From a state dict's {name: shape} (prefix 'module.' already stripped),
    decide the head layout. Returns (heads, K): heads is 'single' or a
    frozenset of multitask heads; K is the number of expression classes
    (None when there is no expression head). Raises ValueError when no known
    head layout is present."""
    def rows(name):
        shape = names_to_shapes.get(name)
        if shape is None:
            return None
        shape = list(shape)
        if len(shape) != 2 or shape[1] != FEATURE_CHANNELS:
            raise ValueError("tensor '%s' has shape %s, expected [K, %d]"
                             % (name, shape, FEATURE_CHANNELS))
        return shape[0]

    has_fc = "fc.weight" in names_to_shapes
    has_mt = "custom_classifier.dense.weight" in names_to_shapes
    if has_fc and has_mt:
        raise ValueError("both a single-task head (fc) and a multitask head "
                         "(custom_classifier) are present")
    if has_fc:
        k = rows("fc.weight")
        if not 1 <= k <= MAX_CLASSES:
            raise ValueError("fc.weight has %d classes, expected 1..%d"
                             % (k, MAX_CLASSES))
        return "single", k
    if has_mt:
        heads = set()
        k = None
        if "custom_classifier.val_arousal.weight" in names_to_shapes:
            heads.add("va")
        if "custom_classifier.emotions.weight" in names_to_shapes:
            heads.add("expression")
            k = rows("custom_classifier.emotions.weight")
            if not 1 <= k <= MAX_CLASSES:
                raise ValueError("custom_classifier.emotions.weight has %d "
                                 "classes, expected 1..%d" % (k, MAX_CLASSES))
        if "custom_classifier.actions.weight" in names_to_shapes:
            heads.add("au")
        if not heads:
            raise ValueError("multitask model without any head "
                             "(val_arousal, emotions, actions)")
        return frozenset(heads), k
    raise ValueError("no classifier head found (neither 'fc.weight' nor "
                     "'custom_classifier.dense.weight')")


def n_parameters(heads, n_expr):
    """Number of float parameters (num_batches_tracked excluded)."""
    total = 0
    for name, shape in expected_tensors(heads, n_expr):
        if name.endswith(".num_batches_tracked"):
            continue
        n = 1
        for d in shape:
            n *= d
        total += n
    return total


def flops(heads, n_expr):
    """FLOPs per face (2 per multiply-add) of the convolutions, attention
    convs and dense layers, elementwise work not counted: the figure the C
    engine's plan reports (ddamfn-infer --print-plan)."""
    heads = normalize_heads(heads)
    has_expr = heads == "single" or "expression" in heads
    total = 0
    h = INPUT_SIZE

    def coordatt(c, hh, ww):
        mip = coordatt_mip(c)
        return 2 * mip * c * (hh + ww) + 2 * c * mip * (hh + ww)

    def mixdw(cin, cout, g, kernels, splits, stride, h):
        ho = (h - 1) // stride + 1
        f = 2 * g * cin * h * h                             # expand 1x1
        f += sum(2 * s * k * k * ho * ho for k, s in zip(kernels, splits))
        f += coordatt(g, ho, ho)
        f += 2 * cout * g * ho * ho                         # project 1x1
        return f, ho

    for idx, kind, a in BACKBONE:
        if kind == "conv":
            cin, cout, kh, kw, groups = a
            stride = 2 if idx == 0 else 1
            h = (h + 2 * (kh // 2) - kh) // stride + 1
            total += 2 * cout * (cin // groups) * kh * kw * h * h
        elif kind == "mixdw":
            f, h = mixdw(*a, 2, h)
            total += f
        else:
            c, n, g, kernels, splits = a
            for _ in range(n):
                f, h = mixdw(c, c, g, kernels, splits, 1, h)
                total += f
    c = FEATURE_CHANNELS
    for _ in range(NUM_ATTENTION_HEADS):
        total += 2 * c * h * h * 2                          # Linear_h, _w
        total += coordatt(c, h, h)
    total += 2 * c * h * h                                  # Linear (7x7)
    if heads == "single":
        total += 2 * c * n_expr
    else:
        total += 2 * c * c
        total += 2 * c * 2 if "va" in heads else 0
        total += 2 * c * n_expr if has_expr else 0
        total += 2 * c * N_AU if "au" in heads else 0
    return total
