"""The parity test's checkpoints: the generated state as a PyTorch model
and as the two files ddamfn-convert reads, one written by torch.save, one
by the standard-library writer (tests/lib/pthwriter.py), both with an
optimizer state beside the model's, as a training script leaves them."""
import weights


def torch_state(state):
    import numpy as np
    import torch
    sd = {}
    for name, (shape, vals) in state.items():
        dt = np.int64 if vals.typecode == "q" else np.float32
        a = np.frombuffer(weights._le_bytes(vals), dtype=np.dtype(dt).newbyteorder("<"))
        sd[name] = torch.from_numpy(a.astype(dt).reshape(shape))
    return sd


def optimizer_junk_torch(torch):
    """Something like an Adam state: the converter must skip it."""
    return {
        "state": {0: {"step": torch.tensor(19.0),
                      "exp_avg": torch.full((3, 2), 0.5),
                      "exp_avg_sq": torch.full((3, 2), 0.25)}},
        "param_groups": [{"lr": 1e-4, "betas": (0.9, 0.999), "eps": 1e-8,
                          "weight_decay": 0, "amsgrad": False,
                          "params": [0, 1, 2]}],
    }


def build_live_model(case, state):
    import ddamfn_torch
    model = ddamfn_torch.build_model(case.heads, case.n_expr)
    sd = torch_state(state)
    model.load_state_dict(sd, strict=True)     # proves key set and shapes
    model_keys = list(model.state_dict().keys())
    if model_keys != list(state.keys()):
        print("  note: %s: state-dict order of the torch model differs from "
              "ddamfn_arch (keys are equal)" % case.name)
    return model


def write_live_checkpoint(model, path):
    import torch
    torch.save({"model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer_junk_torch(torch),
                "iter": 19}, path)


def write_stdlib_checkpoint(state, path):
    import pthwriter
    from array import array
    import collections
    sd = collections.OrderedDict(
        (name, pthwriter.Tensor(list(shape), vals))
        for name, (shape, vals) in state.items())
    junk = {
        "state": {0: {"step": pthwriter.Tensor([], array("f", [19.0])),
                      "exp_avg": pthwriter.Tensor([3, 2], array("f", [0.5] * 6)),
                      "exp_avg_sq": pthwriter.Tensor([3, 2],
                                                     array("f", [0.25] * 6))}},
        "param_groups": [{"lr": 1e-4, "betas": (0.9, 0.999), "eps": 1e-8,
                          "weight_decay": 0, "amsgrad": False,
                          "params": [0, 1, 2]}],
    }
    pthwriter.write_checkpoint(path, {"model_state_dict": sd,
                                      "optimizer_state_dict": junk,
                                      "iter": 19})
