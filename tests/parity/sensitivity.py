"""Mistakes a forward pass is easily written with, applied to the PyTorch
reference one at a time: how far each moves the outputs shows that the
parity tolerance would catch it."""
import math


def sensitivity(model, x, ref):
    """Re-run the reference with common implementation mistakes and report
    how far each moves the outputs: every one must exceed the engine
    tolerance by far, or the test could not detect it."""
    import torch
    import ddamfn_torch as R

    def hs_wrong(t):                      # swish instead of hardswish
        return t * torch.sigmoid(t)

    def head_no_transpose(self, f):
        x_h = self.Linear_h(f)
        x_w = self.Linear_w(f).permute(0, 1, 3, 2)
        y = R.hardswish(self.bn1(self.conv1(torch.cat([x_h, x_w], 2))))
        y_h, y_w = torch.split(y, [7, 7], 2)
        return torch.sigmoid(self.conv2(y_h)) * torch.sigmoid(self.conv3(y_w))

    def ca_axes_swapped(self, t):
        h, w = t.shape[2], t.shape[3]
        x_h = t.mean(dim=2, keepdim=True).permute(0, 1, 3, 2)
        x_w = t.mean(dim=3, keepdim=True)
        y = R.hardswish(self.bn1(self.conv1(torch.cat([x_h, x_w], 2))))
        y_h, y_w = torch.split(y, [h, w], 2)
        return t * torch.sigmoid(self.conv2(y_h)) * \
            torch.sigmoid(self.conv3(y_w)).permute(0, 1, 3, 2)

    def combine(op, use_fc_bn=False, head_times_f=False):
        def forward(self, t):
            f = self.features(t)
            a = self.cat_head0(f)
            b = self.cat_head1(f)
            if head_times_f:
                a, b = a * f, b * f
            e = self.Linear(f * op(a, b)).flatten(1)
            if self.single:
                logits = self.fc(e)
                if use_fc_bn:
                    logits = self.bn(logits)
                return {"probs": torch.softmax(logits, 1)}
            return self.custom_classifier(e)
        return forward

    orig = {
        "md": R.MDConv.forward, "head": R.HeadCoordAtt.forward,
        "ca": R.CoordAtt.forward, "net": R.DDAMFN.forward,
        "mix": R.MixDW.forward, "hs": R.hardswish,
        "prelu": R.ConvBlock.forward,
    }
    mdconv = orig["md"]
    mixdw = orig["mix"]
    mistakes = [
        ("MDConv bn+prelu applied",
         lambda: setattr(R.MDConv, "forward",
                         lambda s, t: s.prelu(s.bn(mdconv(s, t))))),
        ("head output multiplied by F",
         lambda: setattr(R.DDAMFN, "forward",
                         combine(torch.maximum, head_times_f=True))),
        ("heads summed instead of max",
         lambda: setattr(R.DDAMFN, "forward", combine(torch.add))),
        ("head a_w not transposed",
         lambda: setattr(R.HeadCoordAtt, "forward", head_no_transpose)),
        ("backbone CoordAtt pooling axes swapped",
         lambda: setattr(R.CoordAtt, "forward", ca_axes_swapped)),
        ("residual dropped", lambda: setattr(
            R.MixDW, "forward",
            lambda s, t: s.project(s.CA(s.conv_dw(s.conv(t)))))),
        ("swish instead of hardswish",
         lambda: setattr(R, "hardswish", hs_wrong)),
        ("PReLU as ReLU", lambda: setattr(
            R.ConvBlock, "forward",
            lambda s, t: torch.relu(s.bn(s.conv(t))))),
    ]
    if model.single:
        mistakes.append(("1-D bn after fc applied", lambda: setattr(
            R.DDAMFN, "forward", combine(torch.maximum, use_fc_bn=True))))
    bns = [m for m in model.modules()
           if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    mistakes.append(("BatchNorm eps 1e-3",
                     lambda: [setattr(m, "eps", 1e-3) for m in bns]))
    result = []
    for label, apply in mistakes:
        try:
            apply()
            out = R.outputs(model, x)
        finally:
            R.MDConv.forward = orig["md"]
            R.HeadCoordAtt.forward = orig["head"]
            R.CoordAtt.forward = orig["ca"]
            R.DDAMFN.forward = orig["net"]
            R.MixDW.forward = mixdw
            R.hardswish = orig["hs"]
            R.ConvBlock.forward = orig["prelu"]
            for m in bns:
                m.eps = 1e-5
        d = max(float(abs(out[k] - ref[k]).max()) for k in ref)
        result.append((label, math.inf if math.isnan(d) else d))
    return result
