#!/usr/bin/env python3
"""A small ONNX graph that uses every operator the importer takes, made
with PyTorch: Conv (plain with a 3 x 5 kernel, depthwise, strided),
BatchNormalization, Relu, PRelu, LeakyRelu, Sigmoid, Tanh, HardSwish (or HardSigmoid and Mul before opset 14),
HardSigmoid, Clip, Add, Sub, Mul, Div with scalars, per-channel
constants and tensors, MaxPool with ceil_mode, AveragePool,
GlobalAveragePool, ReduceMean, Concat, Split, Slice, Transpose of H and W,
Flatten, Reshape (of a shape computed by Shape, Gather, Unsqueeze, Concat),
Pad (of nothing), Gemm, MatMul, Softmax; two outputs.

usage: make_onnx_ops.py OUT.onnx OPSET [IN.f32 F64.npy F32.npy]
Writes OUT.onnx and OUT.onnx.json (the input's shape). With the last three: 5 random inputs (1 x 3 x 18 x 20 each) and the
network's outputs in float64 and float32 (both outputs, concatenated).
Exits 77 without PyTorch.
"""
import json
import sys

import numpy as np

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print("SKIP: %s" % e)
    sys.exit(77)


class Ops(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 12, 3, stride=2, padding=1)
        self.b1 = nn.BatchNorm2d(12)
        self.dw = nn.Conv2d(12, 12, 5, padding=2, groups=12)
        self.gc = nn.Conv2d(12, 12, (3, 5), padding=(1, 2))
        self.pr = nn.PReLU(12)
        self.pw = nn.Conv2d(12, 16, 1)
        self.se1 = nn.Conv2d(16, 4, 1)
        self.se2 = nn.Conv2d(4, 16, 1)
        self.scale = nn.Parameter(torch.rand(1, 16, 1, 1) + 0.5)
        self.fc = nn.Linear(32, 10)
        self.mm = nn.Parameter(torch.randn(10, 6) * 0.3)

    def forward(self, x):
        x = F.hardswish(self.b1(self.c1(x)))
        x = self.pr(self.dw(x)) + F.leaky_relu(self.gc(x), 0.1)
        x = torch.clamp(x, -2.0, 3.0)
        x = self.pw(x)
        g = torch.sigmoid(self.se2(F.relu(self.se1(F.adaptive_avg_pool2d(
            x, 1)))))
        x = x * g - 0.25
        x = x / self.scale + F.hardsigmoid(x)
        a, b = torch.split(x, [6, 10], dim=1)
        x = torch.cat([torch.tanh(a), b[:, 2:8], b[:, :4]], dim=1)
        x = x.transpose(2, 3)
        x = F.max_pool2d(x, 3, 2, ceil_mode=True)
        m1 = x.mean((2, 3))
        x = F.avg_pool2d(x, 2, 1)
        m2 = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        v = torch.cat([m1, m2], dim=1).reshape(x.shape[0], -1)
        y = self.fc(v)
        return torch.softmax(y, dim=1), torch.matmul(y, self.mm)


def build():
    torch.manual_seed(3)
    m = Ops().eval()
    with torch.no_grad():
        m.b1.running_mean.uniform_(-1, 1)
        m.b1.running_var.uniform_(0.5, 2)
        m.b1.weight.uniform_(0.5, 1.5)
        m.b1.bias.uniform_(-0.5, 0.5)
    return m


def main():
    out, opset = sys.argv[1], int(sys.argv[2])
    m = build()
    x = torch.from_numpy(np.random.default_rng(5).uniform(
        -1, 1, (5, 3, 18, 20)).astype(np.float32))
    torch.onnx.export(m, x[:1], out, opset_version=opset,
                      input_names=["input"], output_names=["probs", "proj"],
                      dynamic_axes={"input": {0: "N"}, "probs": {0: "N"},
                                    "proj": {0: "N"}})
    with open(out + ".json", "w") as f:
        json.dump({"shape": [3, 18, 20], "opset": opset}, f)
    if len(sys.argv) > 3:
        x.numpy().astype("<f4").tofile(sys.argv[3])
        with torch.no_grad():
            y32 = np.concatenate([t.numpy() for t in m(x)], axis=1)
            y64 = np.concatenate([t.numpy() for t in m.double()(x.double())],
                                 axis=1)
        np.save(sys.argv[4], y64)
        np.save(sys.argv[5], y32)


if __name__ == "__main__":
    main()
