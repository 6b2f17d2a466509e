"""BlazeFace facts shared by tflite-convert and the tests (docs/face-detector.md).

The two MediaPipe face detectors differ in input size and anchor layout; both
give per anchor one score logit and 16 regressors (box centre, size, six
keypoints, x before y).
"""

KEYPOINT_NAMES = ("right_eye", "left_eye", "nose_tip", "mouth_center",
                  "right_ear_tragion", "left_ear_tragion")
N_REGRESSORS = 4 + 2 * len(KEYPOINT_NAMES)

# Options of MediaPipe's SSD anchor generator for each model, keyed by the
# model's input size. Layers of equal stride share one grid.
VARIANTS = {
    128: {
        "variant": "short_range",
        "num_layers": 4,
        "strides": (8, 16, 16, 16),
        "min_scale": 0.1484375,
        "max_scale": 0.75,
        "anchor_offset": 0.5,
        "interpolated_scale_aspect_ratio": 1.0,
        "min_score": 0.5,
    },
    192: {
        "variant": "full_range",
        "num_layers": 1,
        "strides": (4,),
        "min_scale": 0.1484375,
        "max_scale": 0.75,
        "anchor_offset": 0.5,
        "interpolated_scale_aspect_ratio": 0.0,
        "min_score": 0.6,
    },
}
SCORE_CLIP = 100.0
NMS_IOU = 0.3


def anchor_grids(input_size):
    """[(cells per side, anchors per cell)] in output order."""
    cfg = VARIANTS[input_size]
    per_layer = 1 + (1 if cfg["interpolated_scale_aspect_ratio"] > 0 else 0)
    grids = []
    for s in cfg["strides"]:
        cells = -(-input_size // s)
        if grids and grids[-1][2] == s:
            grids[-1][1] += per_layer
        else:
            grids.append([cells, per_layer, s])
    return [(c, a) for c, a, _ in grids]


def anchors(input_size):
    """Anchor centres (x, y) in [0, 1], in output order (fixed size 1)."""
    off = VARIANTS[input_size]["anchor_offset"]
    out = []
    for cells, per_cell in anchor_grids(input_size):
        for y in range(cells):
            for x in range(cells):
                for _ in range(per_cell):
                    out.append(((x + off) / cells, (y + off) / cells))
    return out


def num_anchors(input_size):
    return sum(c * c * a for c, a in anchor_grids(input_size))
