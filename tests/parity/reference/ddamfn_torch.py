"""PyTorch reference of the DDAMFN network, written from
docs/network.md, for the parity test (tests/parity/parity.py).

Module attribute names are chosen so that model.state_dict() has exactly the
key names of the released checkpoints, including the tensors the network
stores but never applies (MDConv bn/prelu, the heads' 7x7 `Linear`, the 1-D
`bn` after `fc`). Those modules are created here and deliberately left out of
forward().

Needs torch (Debian python3-torch, run with /usr/bin/python3).
"""
import torch
from torch import nn

HEAD_NAMES = ("va", "expression", "au")
N_AU = 12


def hardswish(x):
    return x * torch.clamp(x + 3.0, 0.0, 6.0) / 6.0


class ConvBlock(nn.Module):
    """conv (no bias) -> BatchNorm2d -> PReLU (per channel)."""

    def __init__(self, cin, cout, k=1, s=1, p=0, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.prelu = nn.PReLU(cout)

    def forward(self, x):
        return self.prelu(self.bn(self.conv(x)))


class LinearBlock(nn.Module):
    """conv (no bias) -> BatchNorm2d, no activation."""

    def __init__(self, cin, cout, k=1, s=1, p=0, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class MDConv(nn.Module):
    """Mixed depthwise conv: consecutive channel groups, one kernel size each.
    `bn` and `prelu` exist in the checkpoints but are not applied."""

    def __init__(self, channels, kernels, splits, stride):
        super().__init__()
        assert sum(splits) == channels and len(kernels) == len(splits)
        self.splits = list(splits)
        self.mixed_depthwise_conv = nn.ModuleList(
            nn.Conv2d(c, c, k, stride, k // 2, groups=c, bias=False)
            for k, c in zip(kernels, splits))
        self.bn = nn.BatchNorm2d(channels)      # stored, NOT applied
        self.prelu = nn.PReLU(channels)         # stored, NOT applied

    def forward(self, x):
        parts = torch.split(x, self.splits, dim=1)
        return torch.cat([conv(p) for conv, p in
                          zip(self.mixed_depthwise_conv, parts)], dim=1)


class CoordAtt(nn.Module):
    """Coordinate attention of the backbone (average-pool variant)."""

    def __init__(self, c):
        super().__init__()
        mip = max(8, c // 32)
        self.conv1 = nn.Conv2d(c, mip, 1, 1, 0, bias=True)
        self.bn1 = nn.BatchNorm2d(mip)
        self.conv2 = nn.Conv2d(mip, c, 1, 1, 0, bias=True)
        self.conv3 = nn.Conv2d(mip, c, 1, 1, 0, bias=True)

    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        x_h = x.mean(dim=3, keepdim=True)                      # c x H x 1
        x_w = x.mean(dim=2, keepdim=True).permute(0, 1, 3, 2)  # c x W x 1
        y = torch.cat([x_h, x_w], dim=2)                       # c x (H+W) x 1
        y = hardswish(self.bn1(self.conv1(y)))
        y_h, y_w = torch.split(y, [h, w], dim=2)
        a_h = torch.sigmoid(self.conv2(y_h))                      # c x H x 1
        a_w = torch.sigmoid(self.conv3(y_w)).permute(0, 1, 3, 2)  # c x 1 x W
        return x * a_h * a_w


class MixDW(nn.Module):
    def __init__(self, cin, cout, residual, stride, groups, kernels, splits):
        super().__init__()
        self.conv = ConvBlock(cin, groups, 1, 1, 0)
        self.conv_dw = MDConv(groups, kernels, splits, stride)
        self.CA = CoordAtt(groups)
        self.project = LinearBlock(groups, cout, 1, 1, 0)
        self.residual = residual

    def forward(self, x):
        y = self.project(self.CA(self.conv_dw(self.conv(x))))
        return x + y if self.residual else y


class MixResidual(nn.Module):
    def __init__(self, c, n, groups, kernels, splits):
        super().__init__()
        self.model = nn.Sequential(*[
            MixDW(c, c, True, 1, groups, kernels, splits) for _ in range(n)])

    def forward(self, x):
        return self.model(x)


def backbone():
    return nn.Sequential(
        ConvBlock(3, 64, 3, 2, 1),                                     # 0
        ConvBlock(64, 64, 3, 1, 1, groups=64),                         # 1
        MixDW(64, 64, False, 2, 128, [3, 5, 7], [64, 32, 32]),         # 2
        MixResidual(64, 9, 128, [3, 5], [96, 32]),                     # 3
        MixDW(64, 128, False, 2, 256, [3, 5, 7], [128, 64, 64]),       # 4
        MixResidual(128, 16, 256, [3, 5], [192, 64]),                  # 5
        MixDW(128, 256, False, 2, 1024, [3, 5, 7, 9], [256] * 4),      # 6
        MixResidual(256, 6, 512, [3, 5, 7], [172, 170, 170]),          # 7
        ConvBlock(256, 512, 1, 1, 0),                                  # 8
    )


class HeadCoordAtt(nn.Module):
    """Dual-direction attention of one head; returns the attention map
    a_h * a_w (512 x 7 x 7), not multiplied by the features."""

    def __init__(self, c=512):
        super().__init__()
        mip = max(8, c // 32)
        self.Linear_h = LinearBlock(c, c, (1, 7), 1, 0, groups=c)
        self.Linear_w = LinearBlock(c, c, (7, 1), 1, 0, groups=c)
        self.conv1 = nn.Conv2d(c, mip, 1, 1, 0, bias=True)
        self.bn1 = nn.BatchNorm2d(mip)
        self.conv2 = nn.Conv2d(mip, c, 1, 1, 0, bias=True)
        self.conv3 = nn.Conv2d(mip, c, 1, 1, 0, bias=True)
        self.Linear = LinearBlock(c, c, 7, 1, 0, groups=c)   # stored, NOT applied

    def forward(self, f):
        x_h = self.Linear_h(f)                        # c x 7 x 1
        x_w = self.Linear_w(f).permute(0, 1, 3, 2)    # c x 1 x 7 -> c x 7 x 1
        h, w = x_h.shape[2], x_w.shape[2]
        y = torch.cat([x_h, x_w], dim=2)              # c x 14 x 1
        y = hardswish(self.bn1(self.conv1(y)))
        y_h, y_w = torch.split(y, [h, w], dim=2)
        a_h = torch.sigmoid(self.conv2(y_h))                      # c x 7 x 1
        a_w = torch.sigmoid(self.conv3(y_w)).permute(0, 1, 3, 2)  # c x 1 x 7
        return a_h * a_w


class AttentionHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.CoordAtt = HeadCoordAtt(512)

    def forward(self, f):
        return self.CoordAtt(f)


class MultitaskClassifier(nn.Module):
    def __init__(self, heads, n_expr):
        super().__init__()
        self.dense = nn.Linear(512, 512)
        if "va" in heads:
            self.val_arousal = nn.Linear(512, 2)
        if "expression" in heads:
            self.emotions = nn.Linear(512, n_expr)
        if "au" in heads:
            self.actions = nn.Linear(512, N_AU)

    def forward(self, e):
        h = torch.relu(self.dense(e))
        out = {}
        if hasattr(self, "val_arousal"):
            out["va"] = torch.tanh(self.val_arousal(h))
        if hasattr(self, "emotions"):
            out["probs"] = torch.softmax(self.emotions(h), dim=1)
        if hasattr(self, "actions"):
            out["au"] = torch.sigmoid(self.actions(h))
        return out


class DDAMFN(nn.Module):
    def __init__(self, heads="single", n_expr=7, num_head=2):
        super().__init__()
        self.features = backbone()
        self.num_head = num_head
        for i in range(num_head):
            setattr(self, "cat_head%d" % i, AttentionHead())
        self.Linear = LinearBlock(512, 512, 7, 1, 0, groups=512)
        self.single = heads == "single"
        if self.single:
            self.fc = nn.Linear(512, n_expr)
            self.bn = nn.BatchNorm1d(n_expr)     # stored, NOT applied
        else:
            heads = set(heads)
            assert heads and heads <= set(HEAD_NAMES), heads
            self.custom_classifier = MultitaskClassifier(heads, n_expr)

    def forward(self, x):
        f = self.features(x)                                   # 512 x 7 x 7
        a = getattr(self, "cat_head0")(f)
        for i in range(1, self.num_head):
            a = torch.maximum(a, getattr(self, "cat_head%d" % i)(f))
        e = self.Linear(f * a).flatten(1)                      # 512
        if self.single:
            return {"probs": torch.softmax(self.fc(e), dim=1)}
        return self.custom_classifier(e)


def build_model(heads="single", n_expr=7):
    """heads: 'single' or a non-empty subset of {'va', 'expression', 'au'}.
    Returns the model in eval mode, float32."""
    return DDAMFN(heads, n_expr).float().eval()


def outputs(model, x):
    """x: torch tensor or numpy array N x 3 x 112 x 112 float32.
    Returns a dict of numpy arrays: 'probs' (N x K), 'va' (N x 2, tanh),
    'au' (N x 12, sigmoid) -- only the ones the model has."""
    if not isinstance(x, torch.Tensor):
        x = torch.from_numpy(x)
    with torch.no_grad():
        out = model(x.float())
    return {k: v.detach().cpu().numpy() for k, v in out.items()}
