#!/usr/bin/env python3
"""ONNX fixtures for the parity test, made with Debian's PyTorch and
torchvision: the networks facial-affect models are built on, with random
but non-trivial weights (BatchNorm statistics far from 0 and 1), exported
with torch.onnx.export, and their outputs in float64 and float32 on the
same random inputs.

usage: make_onnx_fixtures.py WORKDIR [NAME ...]
Writes WORKDIR/NAME.onnx, NAME.in.f32 (N inputs, NCHW float32),
NAME.json (the input's C, H, W and the opset), NAME.f64.npy and
NAME.f32.npy (N x outputs) for each fixture:

  efficientnet_b0   torchvision EfficientNet-B0, 224 x 224, a 10-output
                    head (8 expression logits, valence, arousal: the
                    HSEmotion layout); SiLU, squeeze-excitation
  mobilenet_v3      torchvision MobileNetV3-Small, 224 x 224, 8 classes;
                    hard-swish, hard-sigmoid gates
  resnet18          torchvision ResNet-18, 224 x 224, 8 classes (DAN's
                    backbone)
  ferplus_vgg13     a VGG13-style FER+ network, 64 x 64 grey, 8 classes,
                    max pooling with ceil_mode, dropout, softmax output
  ddamfn            DDAMFN itself (tests/parity/reference/ddamfn_torch.py),
                    112 x 112, the three heads (va, 8 expressions, 12 AUs)
                    with the parity test's weights; also written as
                    ddamfn.safetensors, the same weights for the native plan
Exits 77 when torch or torchvision cannot be imported.
"""
import json
import os
import sys

import numpy as np

try:
    import torch
    import torch.nn as nn
    import torchvision
except ImportError as e:
    print("SKIP: %s" % e)
    sys.exit(77)

N = 3


def randomise(model, seed):
    """Random weights and BatchNorm statistics far from 0 / 1, in a
    range that keeps activations finite through deep stacks."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.rand(c, generator=g) * 2 - 1)
                m.running_var.copy_(torch.rand(c, generator=g) * 2 + 0.5)
                m.weight.copy_(torch.rand(c, generator=g) * 0.8 + 0.4)
                m.bias.copy_(torch.rand(c, generator=g) * 1 - 0.5)
    return model.eval()


class FerPlusVgg13(nn.Module):
    """VGG13 as the FER+ paper's: 64 x 64 grey, 4 conv stages, 2 dense
    layers, 8 emotions; max pools with ceil_mode here to cover it."""

    def __init__(self):
        super().__init__()
        layers, cin = [], 1
        for cout, n in ((64, 2), (128, 2), (256, 3), (256, 3)):
            for _ in range(n):
                layers += [nn.Conv2d(cin, cout, 3, padding=1),
                           nn.BatchNorm2d(cout), nn.ReLU()]
                cin = cout
            layers += [nn.MaxPool2d(2, 2, ceil_mode=True), nn.Dropout(0.25)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(256 * 4 * 4, 1024),
                                  nn.ReLU(), nn.Dropout(0.5),
                                  nn.Linear(1024, 1024), nn.ReLU(),
                                  nn.Linear(1024, 8), nn.Softmax(dim=1))

    def forward(self, x):
        return self.head(self.features(x))


HERE = os.path.dirname(os.path.abspath(__file__))
DDAMFN_HEADS = {"va", "expression", "au"}


def build_ddamfn(work):
    """The reference DDAMFN with weights.py's non-trivial weights, and the
    same weights as a safetensors model for the native plan."""
    sys.path.insert(0, os.path.join(HERE, "..", "parity", "reference"))
    sys.path.insert(0, os.path.join(HERE, "..", "lib"))
    import ddamfn_torch
    import modelfile
    import weights
    state = weights.make_state(DDAMFN_HEADS, 8, 31)
    model = ddamfn_torch.build_model(DDAMFN_HEADS, 8)
    model.load_state_dict({
        k: torch.tensor(list(v), dtype=torch.int64 if v.typecode == "q"
                        else torch.float32).reshape(shape)
        for k, (shape, v) in state.items()}, strict=True)
    tensors = [(k, "F32", list(shape), v.tobytes())
               for k, (shape, v) in state.items() if v.typecode == "f"]
    path = os.path.join(work, "ddamfn.safetensors")
    modelfile.write_safetensors(path + ".part", tensors,
                                modelfile.default_metadata(DDAMFN_HEADS, 8))
    os.replace(path + ".part", path)
    return model.eval()


def build(name, work):
    torch.manual_seed(1)
    if name == "ddamfn":
        return build_ddamfn(work), (3, 112, 112), 13
    if name == "efficientnet_b0":
        m = torchvision.models.efficientnet_b0(num_classes=10)
        return randomise(m, 2), (3, 224, 224), 13
    if name == "mobilenet_v3":
        m = torchvision.models.mobilenet_v3_small(num_classes=8)
        return randomise(m, 3), (3, 224, 224), 17
    if name == "resnet18":
        m = torchvision.models.resnet18(num_classes=8)
        return randomise(m, 4), (3, 224, 224), 11
    if name == "ferplus_vgg13":
        return randomise(FerPlusVgg13(), 5), (1, 64, 64), 13
    raise SystemExit("unknown fixture %s" % name)


def flat(y):
    """Every output of a face in a row (DDAMFN's dict: va, probs, au)."""
    if isinstance(y, dict):
        return np.concatenate([y[k].numpy() for k in ("va", "probs", "au")],
                              axis=1)
    return y.numpy()


def main():
    work = sys.argv[1]
    names = sys.argv[2:] or ["efficientnet_b0", "mobilenet_v3", "resnet18",
                             "ferplus_vgg13"]
    os.makedirs(work, exist_ok=True)
    torch.set_num_threads(2)
    for name in names:
        model, shape, opset = build(name, work)
        x = torch.from_numpy(np.random.default_rng(11).uniform(
            -1, 1, (N,) + shape).astype(np.float32))
        path = os.path.join(work, name + ".onnx")
        outs = ["va", "probs", "au"] if name == "ddamfn" else ["output"]
        torch.onnx.export(model, x[:1], path + ".part", opset_version=opset,
                          input_names=["input"], output_names=outs,
                          dynamic_axes=dict({"input": {0: "N"}},
                                            **{o: {0: "N"} for o in outs}))
        os.replace(path + ".part", path)
        x.numpy().astype("<f4").tofile(os.path.join(work, name + ".in.f32"))
        with torch.no_grad():
            y32 = flat(model(x))
            y64 = flat(model.double()(x.double()))
        np.save(os.path.join(work, name + ".f32.npy"), y32)
        np.save(os.path.join(work, name + ".f64.npy"), y64)
        with open(os.path.join(work, name + ".json"), "w") as f:
            json.dump({"shape": list(shape), "opset": opset}, f)
        print("%s: opset %d, input %s, output %s, |y| max %.3g"
              % (name, opset, shape, y64.shape, np.abs(y64).max()))


if __name__ == "__main__":
    main()
