#!/usr/bin/env python3
"""Model cards on graph models: small ONNX files made here with
onnx.helper (Conv, Relu, GlobalAveragePool, Flatten, Gemm; random
weights), opened by card-probe (ddamfn_model_open_with_card, the public
API), which prints what the card made of the model as JSON.

Checks: the preset chosen from the shapes (FER+ 1 x 64 x 64 with 8
outputs, HSEmotion 3 x 224 x 224 with 10 or 8, and the file's name); a
card in the file's metadata_props ("gst-ddamfn.card"); a sidecar
NAME.card.json; the order among them (caller's card or preset, stored,
sidecar, shapes); cards that do not fit refused naming the mismatch (input
size, channels, layout, a missing output with the model's outputs listed,
values past an output's end, a preset of another shape); labels, action
units and normalisation taken from the card; and the mapping of outputs
to DdamfnResult, numerically: expression probabilities the softmax of the
card's values, valence and arousal the values the card names (with their
activation), against ddamfn_model_run_outputs on the same input; no
second softmax on a graph that ends in one; values of an output the card
reads left unmapped refused; the defaults of a card without a preset; and
the card in effect (ddamfn_model_get_card_json), saved and given back as
--card, giving the same card (a head dropped from a preset included).

usage: test_cards.py CARD_PROBE WORKDIR
Exits 77 without numpy or the onnx package.
"""
import json
import math
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper, TensorProto
except ImportError as e:
    print("SKIP: %s" % e)
    sys.exit(77)

PROBE, WORK = sys.argv[1], sys.argv[2]
CARD_KEY = "gst-ddamfn.card"

FERPLUS = ["Neutral", "Happiness", "Surprise", "Sadness", "Anger", "Disgust",
           "Fear", "Contempt"]
HSE = ["Anger", "Contempt", "Disgust", "Fear", "Happiness", "Neutral",
       "Sadness", "Surprise"]
FAILURES = []


def check(cond, what):
    print("%s: %s" % ("ok" if cond else "FAIL", what))
    if not cond:
        FAILURES.append(what)
    return cond


# ---- models -----------------------------------------------------------------

def make_model(path, c, h, w, heads, seed, metadata=None, end_softmax=False):
    """Input 'input' [1, C, H, W] -> Conv 3x3 (6 channels, stride 2) ->
    Relu -> GlobalAveragePool -> Flatten -> one Gemm per head: HEADS is a
    list of (output name, values); END_SOFTMAX ends the first in a
    Softmax."""
    rng = np.random.default_rng(seed)
    inits = [
        numpy_helper.from_array(
            rng.normal(0, 0.5, (6, c, 3, 3)).astype(np.float32), "conv_w"),
        numpy_helper.from_array(
            rng.normal(0, 0.5, (6,)).astype(np.float32), "conv_b"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv_w", "conv_b"], ["conv"],
                         name="conv", kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
        helper.make_node("GlobalAveragePool", ["relu"], ["pool"],
                         name="pool"),
        helper.make_node("Flatten", ["pool"], ["flat"], name="flat", axis=1),
    ]
    outputs = []
    for k, (name, n) in enumerate(heads):
        gemm = name + "_logits" if end_softmax and k == 0 else name
        inits.append(numpy_helper.from_array(
            rng.normal(0, 2.0, (n, 6)).astype(np.float32), name + "_w"))
        inits.append(numpy_helper.from_array(
            rng.normal(0, 1.0, (n,)).astype(np.float32), name + "_b"))
        nodes.append(helper.make_node(
            "Gemm", ["flat", name + "_w", name + "_b"], [gemm],
            name=name + "_gemm", transB=1))
        if gemm != name:
            nodes.append(helper.make_node("Softmax", [gemm], [name],
                                          name=name + "_softmax", axis=1))
        outputs.append(helper.make_tensor_value_info(
            name, TensorProto.FLOAT, [1, n]))
    graph = helper.make_graph(
        nodes, "card_test",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                       [1, c, h, w])],
        outputs, inits)
    model = helper.make_model(graph, producer_name="test_cards",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    if metadata is not None:
        helper.set_model_props(model, metadata)
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)
    return path


def write_card(path, card):
    with open(path, "w") as f:
        json.dump(card, f, indent=1)
    return path


def probe(model, *args):
    """(status, parsed stdout or None, stderr)."""
    p = subprocess.run([PROBE, model] + list(args), capture_output=True,
                       text=True, timeout=120)
    if p.returncode not in (0, 1):
        print(p.stderr)
        raise SystemExit("card-probe %s %s: exit status %d" %
                         (model, " ".join(args), p.returncode))
    if p.returncode == 0:
        return 0, json.loads(p.stdout), p.stderr
    return 1, None, p.stderr.strip()


def opens(model, *args):
    st, out, err = probe(model, *args)
    if not check(st == 0, "%s %s opens" % (os.path.basename(model),
                                           " ".join(args))):
        print("   ", err)
        return None
    return out


def refused(model, args, *wants):
    st, _, err = probe(model, *args)
    what = "%s %s refused" % (os.path.basename(model), " ".join(args))
    if not check(st == 1, what):
        return
    print("   ", err)
    for w in wants:
        check(w in err, "  ... message contains %r" % w)


def softmax(v):
    v = np.asarray(v, dtype=np.float64)
    e = np.exp(v - v.max())
    return e / e.sum()


def close(a, b, tol=1e-6):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol))


# ---- the cases --------------------------------------------------------------

def test_presets_from_shapes():
    fer = make_model(WORK + "/shapes/net.onnx", 1, 64, 64,
                     [("logits", 8)], 1)
    out = opens(fer)
    if out:
        check("preset emotion-ferplus-8" in out["card_name"]
              and "shapes" in out["card_name"],
              "FER+ shape: card name %r" % out["card_name"])
        check(out["labels"] == FERPLUS, "FER+ labels %s" % out["labels"])
        check(out["has_va"] is False, "FER+: no valence/arousal")
        i = out["input"]
        check((i["colour"], i["range"], i["layout"], i["mean"][0],
               i["std"][0]) == ("grey", 255, "nchw", 0, 1),
              "FER+ input: grey, 0 ... 255, NCHW, mean 0, std 1")
        check(out["card"]["preset"] == "emotion-ferplus-8",
              "FER+ card JSON names its preset")

    hse = make_model(WORK + "/shapes/hse.onnx", 3, 224, 224,
                     [("logits", 10)], 2)
    out = opens(hse, "--run", "5")
    if out:
        check("preset enet_b0_8_va_mtl" in out["card_name"],
              "224 x 224, 10 values: %r" % out["card_name"])
        check(out["labels"] == HSE and out["has_va"] is True,
              "HSEmotion labels and valence/arousal")
        check_hse_mapping(out)

    afew = make_model(WORK + "/shapes/enet_b0_8_best_afew.onnx", 3, 224, 224,
                      [("logits", 8)], 3)
    out = opens(afew)
    if out:
        check("preset enet_b0_8_best_afew" in out["card_name"]
              and out["has_va"] is False and out["labels"] == HSE,
              "224 x 224, 8 values: %r" % out["card_name"])

    # no preset has this shape: numbered classes
    other = make_model(WORK + "/shapes/other.onnx", 3, 32, 32,
                       [("logits", 5)], 4)
    out = opens(other, "--run", "1")
    if out:
        check(out["card_name"] == "generic graph model (no card)",
              "other shape: %r" % out["card_name"])
        check(out["labels"] == ["class%d" % k for k in range(5)],
              "other shape: labels %s" % out["labels"])
        check(close(out["result"]["expr_probs"], softmax(out["raw"])),
              "generic card: probabilities are the softmax of the output")
    return fer, hse


def check_hse_mapping(out):
    """The 10-output head: softmax of 0 ... 7, valence 8, arousal 9."""
    raw, r = out["raw"], out["result"]
    print("    raw", ["%.4f" % v for v in raw])
    check(len(raw) == 10 and r["n_expr"] == 8, "10 raw values, 8 classes")
    check(max(abs(v) for v in raw) > 0.1 and
          len(set(round(v, 5) for v in raw)) == 10,
          "the outputs are distinct and not all near 0")
    p = softmax(raw[:8])
    check(close(r["expr_probs"], p),
          "expr_probs == softmax(raw[0:8]) within 1e-6")
    check(r["expr_index"] == int(np.argmax(p)), "expr_index is the argmax")
    check(r["has_va"] is True, "result has valence/arousal")
    check(abs(r["valence"] - raw[8]) <= 1e-6,
          "valence %.7g == raw[8] %.7g" % (r["valence"], raw[8]))
    check(abs(r["arousal"] - raw[9]) <= 1e-6,
          "arousal %.7g == raw[9] %.7g" % (r["arousal"], raw[9]))


def test_card_sources(fer):
    labels = ["l%d" % k for k in range(8)]
    stored = {"name": "Stored card net", "preset": "emotion-ferplus-8",
              "expression": {"labels": labels}}
    side = {"name": "Sidecar net", "preset": "emotion-ferplus-8",
            "input": {"range": 1, "mean": [0.5], "std": [0.25],
                      "grey_weights": [0.5, 0.25, 0.25]},
            "expression": {"labels": ["s%d" % k for k in range(8)]}}

    # the file's metadata_props
    m = make_model(WORK + "/stored/net.onnx", 1, 64, 64, [("logits", 8)],
                   1, {CARD_KEY: json.dumps(stored), "author": "x"})
    out = opens(m)
    if out:
        check("Stored card net" in out["card_name"]
              and "stored in the file" in out["card_name"],
              "stored card: %r" % out["card_name"])
        check(out["labels"] == labels, "stored card's labels %s" %
              out["labels"])

    # a sidecar NAME.card.json (NAME: the path without its extension)
    s = make_model(WORK + "/side.v2/net.v1.onnx", 1, 64, 64,
                   [("logits", 8)], 1)
    sidecar = write_card(WORK + "/side.v2/net.v1.card.json", side)
    write_card(WORK + "/side.v2/net.card.json", stored)  # not this one
    out = opens(s, "--prepare", "200,100,40")
    if out:
        check("Sidecar net" in out["card_name"]
              and "beside the model" in out["card_name"]
              and sidecar in out["card_name"],
              "sidecar card: %r" % out["card_name"])
        check(out["labels"] == side["expression"]["labels"],
              "sidecar labels %s" % out["labels"])
        i = out["input"]
        check((i["range"], i["mean"][0], i["std"][0]) == (1, 0.5, 0.25),
              "sidecar normalisation range 1, mean 0.5, std 0.25")
        # a uniform frame: grey = .5*200 + .25*100 + .25*40 = 135
        want = (135 / 255 - 0.5) / 0.25
        lo, hi = out["prepared"][0]
        check(abs(lo - want) <= 1e-5 and abs(hi - want) <= 1e-5,
              "prepared grey %.6g ... %.6g == %.6g" % (lo, hi, want))

    # order: the caller's card, then the caller's preset, then the stored
    # card, then the sidecar, then the shapes
    both = make_model(WORK + "/both/net.onnx", 1, 64, 64, [("logits", 8)],
                      1, {CARD_KEY: json.dumps(stored)})
    write_card(WORK + "/both/net.card.json", side)
    out = opens(both)
    if out:
        check("Stored card net" in out["card_name"],
              "the stored card comes before the sidecar")
    out = opens(both, "--card", sidecar)
    if out:
        check("Sidecar net" in out["card_name"]
              and "card file " + sidecar in out["card_name"],
              "--card comes before the stored card: %r" % out["card_name"])
    out = opens(both, "--preset", "emotion-ferplus-8")
    if out:
        check(out["labels"] == FERPLUS and "preset given" in
              out["card_name"], "--preset comes before the stored card")
    os.remove(WORK + "/both/net.card.json")
    shutil.copy(fer, WORK + "/both/plain.onnx")
    write_card(WORK + "/both/plain.card.json", side)
    out = opens(WORK + "/both/plain.onnx")
    if out:
        check("Sidecar net" in out["card_name"],
              "the sidecar comes before the shapes")

    # a stored card that is wrong is an error, not skipped
    bad = dict(stored, input={"widht": 64})
    m = make_model(WORK + "/stored/bad.onnx", 1, 64, 64, [("logits", 8)],
                   1, {CARD_KEY: json.dumps(bad)})
    refused(m, [], "its stored card", '"input.widht"', "unknown member")
    refused(fer, ["--card", WORK + "/nowhere.card.json"], "model card",
            "nowhere.card.json")
    write_card(WORK + "/broken.card.json", {"preset": "enet_b9"})
    refused(fer, ["--card", WORK + "/broken.card.json"], "broken.card.json",
            'unknown preset "enet_b9"', "emotion-ferplus-8")


def test_misfits(fer, hse):
    base = {"name": "Wrong", "preset": "emotion-ferplus-8"}
    c = write_card(WORK + "/size.card.json",
                   dict(base, input={"width": 48, "height": 40}))
    refused(fer, ["--card", c], "does not fit", "48×40", "64×64", '"Wrong"')
    c = write_card(WORK + "/height.card.json",
                   dict(base, input={"width": 64, "height": 48}))
    refused(fer, ["--card", c], "does not fit", "64×48", "64×64")
    c = write_card(WORK + "/colour.card.json",
                   dict(base, input={"colour": "rgb", "mean": [0, 0, 0],
                                     "std": [1, 1, 1]}))
    refused(fer, ["--card", c], "does not fit", "3 channels", "with 1")
    c = write_card(WORK + "/layout.card.json",
                   dict(base, input={"layout": "nhwc"}))
    refused(fer, ["--card", c], "does not fit", "NHWC", "NCHW")
    refused(hse, ["--preset", "enet_b2_8"], "does not fit", "260×260",
            "224×224")
    refused(fer, ["--preset", "enet_b0_8_va_mtl"], "does not fit",
            "224×224", "64×64")
    refused(fer, ["--preset", "ddamfn"], "preset ddamfn", "safetensors")
    refused(fer, ["--preset", "nope"], 'unknown preset "nope"',
            "enet_b0_8_va_mtl")

    two = make_model(WORK + "/two/net.onnx", 3, 32, 32,
                     [("expr", 8), ("va", 2)], 7)
    card = {"name": "Two heads",
            "input": {"width": 32, "height": 32, "colour": "rgb",
                      "range": 1, "mean": [0, 0, 0], "std": [1, 1, 1]},
            "expression": {"output": "scores",
                           "labels": ["e%d" % k for k in range(8)]}}
    c = write_card(WORK + "/two/missing.card.json", card)
    refused(two, ["--card", c], "does not fit", 'no output "scores"',
            '"expr", "va"')
    card["expression"]["output"] = "expr"
    card["valence"] = {"output": "va", "index": 1}
    card["arousal"] = {"output": "va", "index": 2}
    c = write_card(WORK + "/two/past.card.json", card)
    refused(two, ["--card", c], "does not fit", "arousal", "values 2 to 2",
            '"va"', "has 2")
    card["arousal"] = {"output": "va", "index": 0}
    card["expression"]["index"] = 1
    c = write_card(WORK + "/two/past2.card.json", card)
    refused(two, ["--card", c], "expression", "values 1 to 8", '"expr"',
            "has 8")
    return two, card


def test_mapping(two, card):
    """Named outputs, swapped valence/arousal, activations."""
    card = json.loads(json.dumps(card))
    # every value of both outputs is read: 3 ... 7 expressions, 0 ... 2
    # action units, va[1] valence, va[0] arousal
    card["expression"] = {"output": "expr", "index": 3,
                          "labels": ["a", "b", "c", "d", "e"]}
    card["valence"] = {"output": "va", "index": 1, "activation": "tanh"}
    card["arousal"] = {"output": "va", "index": 0}
    card["action_units"] = {"output": "expr", "index": 0,
                            "names": ["AU1", "AU2", "AU4"],
                            "thresholds": [0.2, 0.5, 0.9],
                            "activation": "sigmoid"}
    c = write_card(WORK + "/two/mapped.card.json", card)
    out = opens(two, "--card", c, "--run", "11")
    if not out:
        return
    check(out["outputs"] == [["expr", 8], ["va", 2]],
          "outputs %s" % out["outputs"])
    check(out["labels"] == ["a", "b", "c", "d", "e"], "the card's labels")
    check([a[0] for a in out["aus"]] == ["AU1", "AU2", "AU4"] and
          close([a[1] for a in out["aus"]], [0.2, 0.5, 0.9], 1e-7),
          "the card's action units %s" % out["aus"])
    raw, r = out["raw"], out["result"]
    expr, va = raw[:8], raw[8:]
    print("    expr", ["%.4f" % v for v in expr], "va",
          ["%.4f" % v for v in va])
    # no preset, no activation: "none", the values as they are
    check(close(r["expr_probs"], expr[3:8]),
          "expr_probs == expr[3:8] (activation none)")
    check(r["expr_index"] == int(np.argmax(expr[3:8])),
          "expr_index is the argmax of expr[3:8]")
    check(abs(r["valence"] - math.tanh(va[1])) <= 1e-6,
          "valence == tanh(va[1])")
    check(abs(r["arousal"] - va[0]) <= 1e-6, "arousal == va[0]")
    au = [1 / (1 + math.exp(-v)) for v in expr[:3]]
    check(r["n_au"] == 3 and close(r["au_probs"], au),
          "au_probs == sigmoid(expr[0:3])")
    active = sum(1 << k for k in range(3) if au[k] >= [0.2, 0.5, 0.9][k])
    check(r["au_active"] == active, "au_active %d == %d" %
          (r["au_active"], active))
    # the card in effect reads back as the one given
    got = out["card"]
    check(got["expression"]["output"] == "expr" and
          got["expression"]["index"] == 3 and
          got["valence"] == {"output": "va", "index": 1,
                             "activation": "tanh"} and
          got["arousal"]["index"] == 0,
          "ddamfn_model_get_card_json gives the card's mapping")

    # preset enet_b0_8_va_mtl's mapping through a card: swapped indices
    # must swap the values
    hse = WORK + "/shapes/hse.onnx"
    sw = write_card(WORK + "/swapped.card.json",
                    {"preset": "enet_b0_8_va_mtl",
                     "valence": {"index": 9}, "arousal": {"index": 8}})
    out = opens(hse, "--card", sw, "--run", "5")
    if out:
        raw, r = out["raw"], out["result"]
        check(abs(r["valence"] - raw[9]) <= 1e-6 and
              abs(r["arousal"] - raw[8]) <= 1e-6 and
              abs(raw[8] - raw[9]) > 1e-3,
              "a card that swaps valence and arousal swaps the values")


def test_softmaxed_graph(fer):
    """A graph that ends in a Softmax already gives probabilities: the
    FER+ preset (softmax) chosen for it must not softmax them again."""
    m = make_model(WORK + "/softmaxed/net.onnx", 1, 64, 64, [("probs", 8)],
                   21, end_softmax=True)
    out = opens(m, "--run", "3")
    if out:
        raw, r = out["raw"], out["result"]
        check("emotion-ferplus-8" in out["card_name"],
              "softmaxed FER+ shape: %r" % out["card_name"])
        check(abs(sum(raw) - 1) < 1e-5 and max(raw) < 0.99,
              "the graph's output is a distribution, not one-hot")
        check(close(r["expr_probs"], raw),
              "probabilities of a softmaxed graph are its output, not "
              "softmaxed twice: %s vs %s" % (
                  ["%.4f" % v for v in r["expr_probs"]],
                  ["%.4f" % v for v in raw]))


def reopen_with_own_card(model, out, tag):
    """Saves ddamfn_model_get_card_json and gives it back as --card: the
    same card must come out (docs/model-cards.md: it can be saved and
    given back as a card file)."""
    c = write_card(WORK + "/own/%s.card.json" % tag, out["card"])
    st, back, err = probe(model, "--card", c)
    if st != 0:
        return err
    same = back["card"] == out["card"] and back["labels"] == out["labels"] \
        and back["has_va"] == out["has_va"] and back["aus"] == out["aus"] \
        and back["input"] == out["input"]
    return None if same else "a different card: %s" % json.dumps(back["card"])


def test_card_json_round_trip(fer, hse, two):
    os.makedirs(WORK + "/own", exist_ok=True)
    cases = [
        ("fer", fer, []), ("hse", hse, []),
        ("stored", WORK + "/stored/net.onnx", []),
        ("sidecar", WORK + "/side.v2/net.v1.onnx", []),
        ("generic", WORK + "/shapes/other.onnx", []),
        ("mapped", two, ["--card", WORK + "/two/mapped.card.json"]),
        ("swapped", hse, ["--card", WORK + "/swapped.card.json"]),
    ]
    for tag, model, args in cases:
        out = opens(model, *args)
        if out:
            err = reopen_with_own_card(model, out, tag)
            check(err is None, "%s: the card in effect, given back, is the "
                  "same card%s" % (tag, "" if err is None else ": " + err))

    # A head the card drops from its preset (8-value model: the preset's
    # valence and arousal would lie past its end).
    afew = WORK + "/shapes/enet_b0_8_best_afew.onnx"
    c = write_card(WORK + "/own/no-va.card.json",
                   {"preset": "enet_b0_8_va_mtl", "name": "no VA",
                    "valence": None, "arousal": None})
    out = opens(afew, "--card", c)
    if out:
        check(out["has_va"] is False and out["card"]["valence"] is None
              and out["card"]["arousal"] is None,
              "valence and arousal dropped, written as null")
        err = reopen_with_own_card(afew, out, "no-va")
        check(err is None, "no VA: the card in effect, given back, is the "
              "same card" + ("" if err is None else ": " + err))


def test_defaults_of_a_bare_card(fer):
    """A card without a preset that leaves out range, mean, std,
    grey_weights and box_scale starts from the identity: range 1, mean 0,
    std 1, BT.601 grey, box scale 1; a face is cut by the formula."""
    c = write_card(WORK + "/bare.card.json",
                   {"name": "Bare", "input": {"width": 64, "height": 64,
                                              "colour": "grey"},
                    "expression": {"labels": FERPLUS}})
    out = opens(fer, "--card", c, "--prepare", "200,100,40")
    if not out:
        return
    i = out["input"]
    check(close(i["grey_weights"], [0.2989, 0.5870, 0.1140], 1e-7) and
          (i["range"], i["mean"][0], i["std"][0], i["box_scale"]) ==
          (1, 0, 1, 1), "bare card: the identity defaults %s" % i)
    want = (0.2989 * 200 + 0.5870 * 100 + 0.1140 * 40) / 255
    lo, hi = out["prepared"][0]
    check(abs(lo - want) <= 1e-5 and abs(hi - want) <= 1e-5,
          "bare card: grey %.6g ... %.6g == %.6g" % (lo, hi, want))
    # no activation given: the values as they are
    out = opens(fer, "--card", c, "--run", "2")
    if out:
        check(close(out["result"]["expr_probs"], out["raw"]),
              "bare card: activation none")


def test_unmapped_values(fer, two):
    """A card that leaves values of an output it reads unmapped describes
    another model (a 7-class card on an 8-class output)."""
    c = write_card(WORK + "/seven.card.json",
                   {"preset": "emotion-ferplus-8", "name": "Seven",
                    "expression": {"labels": FERPLUS[:7]}})
    refused(fer, ["--card", c], "does not fit", '"Seven"',
            'value 7 of output "logits" (8 values) is not mapped')
    # an output the card does not read at all is fine
    c = write_card(WORK + "/two/expr-only.card.json",
                   {"name": "Expr only",
                    "input": {"width": 32, "height": 32},
                    "expression": {"output": "expr", "activation": "softmax",
                                   "labels": ["e%d" % k for k in range(8)]}})
    out = opens(two, "--card", c, "--run", "4")
    if out:
        check(out["has_va"] is False and
              close(out["result"]["expr_probs"], softmax(out["raw"][:8])),
              "a card reading only output \"expr\": softmax(expr)")


def main():
    if os.path.isdir(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)
    fer, hse = test_presets_from_shapes()
    test_card_sources(fer)
    two, card = test_misfits(fer, hse)
    test_mapping(two, card)
    test_softmaxed_graph(fer)
    test_card_json_round_trip(fer, hse, two)
    test_defaults_of_a_bare_card(fer)
    test_unmapped_values(fer, two)
    if FAILURES:
        print("%d check(s) failed:" % len(FAILURES))
        for f in FAILURES:
            print("  " + f)
        sys.exit(1)
    print("all checks passed")


main()
