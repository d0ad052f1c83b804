#!/usr/bin/python3
"""Generate the small ONNX models ModelPilot uses in examples, tests and benchmarks.

Run from the repository root with the Python that has the `onnx` package
(Debian's python3-onnx; onnxruntime is not needed):

    /usr/bin/python3 examples/models/generate.py

Writes, next to this script:

    mlp-classifier.onnx             stable classifier
    mlp-classifier-slow.onnx        same function, ~4x10^5x the FLOPs (~10 ms per row: slower canary)
    mlp-classifier-inaccurate.onnx  same shapes, permuted classes (less accurate canary)
    mlp-classifier-strict.onnx      same function, fixed [1, 8] input (input-rejecting canary)
    regression.onnx                 FP64 linear regression
    multi-input.onnx                INT64 / BOOL / FP32 / STRING inputs, FP32 / INT32 / STRING outputs
    expected.json                   V2 (Open Inference Protocol) test cases with expected outputs

The output is deterministic: fixed seeds, fixed producer metadata, so running it
twice gives byte-identical files (for the same onnx/numpy versions).

Every model is checked with onnx.checker (full_check) and shape inference, then
run twice in numpy: once by a hand-written forward pass that reads the weights
back from the saved file's initializers, once by a tiny graph interpreter that
walks the saved graph node by node. Both must agree with each other (and the
canaries must relate to the stable model as intended) before anything is kept.
"""

import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT_DIR = os.environ.get("MODELPILOT_MODELS_OUT") or os.path.dirname(os.path.abspath(__file__))
OPSET = 13
IR_VERSION = 8  # ONNX Runtime 1.23 supports IR <= 10; keep it conservative
PRODUCER = "modelpilot-examples"
PRODUCER_VERSION = "1"

IN_FEATURES = 8
HIDDEN = 16
CLASSES = 3
SLOW_WIDTH = 256  # the slow model widens each row to 256 columns ...
SLOW_LAYERS = 1024  # ... and multiplies it by a 256x256 permutation 1024 times (P^256 = I): ~67M vs 176 multiply-adds per row
TOLERANCE = 1e-5

F32 = np.float32


# --------------------------------------------------------------------------- helpers


def make_model(graph, doc):
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name=PRODUCER,
        producer_version=PRODUCER_VERSION,
        doc_string=doc,
    )
    model.ir_version = IR_VERSION
    model.model_version = 1
    return model


def check(model, path):
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    onnx.checker.check_model(inferred, full_check=True)
    # The declared output types/shapes must agree with what inference derives.
    declared = {o.name: o.type for o in model.graph.output}
    for o in inferred.graph.output:
        assert o.type == declared[o.name], (path, o.name, o.type, declared[o.name])


def save(model, name):
    path = os.path.join(OUT_DIR, name)
    check(model, path)
    data = model.SerializeToString()
    with open(path, "wb") as f:
        f.write(data)
    # Read it back from disk: everything below works on the saved bytes.
    loaded = onnx.load(path)
    check(loaded, path)
    return loaded


def np_dtype(elem_type):
    if hasattr(helper, "tensor_dtype_to_np_dtype"):  # onnx >= 1.13
        return helper.tensor_dtype_to_np_dtype(elem_type)
    return onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[elem_type]


def inits(model):
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def softmax(x):
    x = x.astype(F32)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(F32)


# ------------------------------------------------------------ tiny ONNX interpreter


def run_graph(model, feeds):
    """Evaluate the (few) ops used here, node by node, as the saved graph wires them."""
    env = dict(inits(model))
    for i in model.graph.input:
        assert i.name in feeds, i.name
        want = np_dtype(i.type.tensor_type.elem_type)
        val = feeds[i.name]
        if i.type.tensor_type.elem_type == TensorProto.STRING:
            assert val.dtype == object, i.name
        else:
            assert val.dtype == want, (i.name, val.dtype, want)
        dims = i.type.tensor_type.shape.dim
        assert len(dims) == val.ndim, (i.name, val.shape)
        for d, n in zip(dims, val.shape):
            if d.HasField("dim_value"):
                if d.dim_value != n:
                    raise ValueError(f"input {i.name}: dimension {d.dim_value} expected, got {n}")
        env[i.name] = val
    for n in model.graph.node:
        a = {x.name: helper.get_attribute_value(x) for x in n.attribute}
        x = [env[name] for name in n.input]
        if n.op_type == "Gemm":
            A, B, C = x
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            y = (F32(a.get("alpha", 1.0)) * (A @ B) + F32(a.get("beta", 1.0)) * C).astype(A.dtype)
        elif n.op_type == "MatMul":
            y = x[0] @ x[1]
        elif n.op_type == "Add":
            y = x[0] + x[1]
        elif n.op_type == "Mul":
            y = x[0] * x[1]
        elif n.op_type == "Relu":
            y = np.maximum(x[0], x[0].dtype.type(0))
        elif n.op_type == "Softmax":
            assert a["axis"] == 1
            y = softmax(x[0])
        elif n.op_type == "ArgMax":
            y = np.argmax(x[0], axis=a["axis"]).astype(np.int64)
            if a.get("keepdims", 1):
                y = np.expand_dims(y, a["axis"])
        elif n.op_type == "Cast":
            y = x[0].astype(np_dtype(a["to"]))
        elif n.op_type == "ReduceSum":
            axes = tuple(int(v) for v in x[1])
            y = x[0].sum(axis=axes, keepdims=bool(a.get("keepdims", 1))).astype(x[0].dtype)
        elif n.op_type == "Identity":
            y = x[0].copy()
        else:
            raise NotImplementedError(n.op_type)
        assert len(n.output) == 1
        env[n.output[0]] = y
    out = {}
    for o in model.graph.output:
        v = env[o.name]
        if o.type.tensor_type.elem_type != TensorProto.STRING:
            assert v.dtype == np_dtype(o.type.tensor_type.elem_type), (o.name, v.dtype)
        out[o.name] = v
    return out


# ------------------------------------------------------------------ the classifier


def classifier_weights():
    rng = np.random.default_rng(20240601)
    w1 = (rng.standard_normal((HIDDEN, IN_FEATURES)) * 0.5).astype(F32)  # Gemm transB=1: [out, in]
    b1 = (rng.standard_normal(HIDDEN) * 0.1).astype(F32)
    w2 = (rng.standard_normal((CLASSES, HIDDEN)) * 0.5).astype(F32)
    # Centre the class logits over a fixed calibration sample so the three labels
    # all occur reasonably often on random inputs.
    calib = rng.standard_normal((4096, IN_FEATURES)).astype(F32)
    h = np.maximum(calib @ w1.T + b1, 0).astype(F32)
    b2 = (-(h @ w2.T).mean(axis=0)).astype(F32)
    b2 = np.round(b2, 4).astype(F32)
    return w1, b1, w2, b2


def classifier_graph(name, w1, b1, w2, b2, batch_dim, prefix_nodes=(), prefix_inits=(), first_input="input"):
    """input -> [prefix] -> Gemm -> Relu -> Gemm -> Softmax -> probabilities, ArgMax -> label."""
    nodes = list(prefix_nodes) + [
        helper.make_node("Gemm", [first_input, "fc1.weight", "fc1.bias"], ["fc1_out"], name="fc1", transB=1),
        helper.make_node("Relu", ["fc1_out"], ["relu_out"], name="relu"),
        helper.make_node("Gemm", ["relu_out", "fc2.weight", "fc2.bias"], ["logits"], name="fc2", transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
        helper.make_node("ArgMax", ["probabilities"], ["label"], name="argmax", axis=1, keepdims=0),
    ]
    initializers = list(prefix_inits) + [
        numpy_helper.from_array(w1, "fc1.weight"),
        numpy_helper.from_array(b1, "fc1.bias"),
        numpy_helper.from_array(w2, "fc2.weight"),
        numpy_helper.from_array(b2, "fc2.bias"),
    ]
    return helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch_dim, IN_FEATURES])],
        [
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [batch_dim, CLASSES]),
            helper.make_tensor_value_info("label", TensorProto.INT64, [batch_dim]),
        ],
        initializer=initializers,
    )


def slow_prefix():
    """The input widened to SLOW_WIDTH columns, SLOW_LAYERS MatMuls by one cyclic shift matrix, and back.

    The widening and narrowing matrices are [I | 0] and its transpose; the shift is a permutation
    matrix P of order SLOW_WIDTH, so SLOW_LAYERS (a multiple of SLOW_WIDTH) products give the identity.
    Multiplying by a permutation only moves values (adding exact zeros), so every layer is exact in
    float32 and the chain returns its input bit for bit; no graph optimiser has a rule that removes
    it, and one shared initializer keeps the file small while each layer costs SLOW_WIDTH^2
    multiply-adds per row.
    """
    expand = np.zeros((IN_FEATURES, SLOW_WIDTH), dtype=F32)
    expand[np.arange(IN_FEATURES), np.arange(IN_FEATURES)] = 1.0
    shift = np.zeros((SLOW_WIDTH, SLOW_WIDTH), dtype=F32)
    shift[np.arange(SLOW_WIDTH), (np.arange(SLOW_WIDTH) + 1) % SLOW_WIDTH] = 1.0
    total = np.eye(SLOW_WIDTH, dtype=F32)
    for _ in range(SLOW_LAYERS):
        total = total @ shift
    assert np.array_equal(total, np.eye(SLOW_WIDTH, dtype=F32))
    nodes = [helper.make_node("MatMul", ["input", "pad.expand"], ["pad_in"], name="pad_expand")]
    prev = "pad_in"
    for i in range(SLOW_LAYERS):
        out = f"pad{i:03d}_out"
        nodes.append(helper.make_node("MatMul", [prev, "pad.shift"], [out], name=f"pad{i:03d}"))
        prev = out
    nodes.append(helper.make_node("MatMul", [prev, "pad.project"], ["pad_out"], name="pad_project"))
    initializers = [
        numpy_helper.from_array(expand, "pad.expand"),
        numpy_helper.from_array(shift, "pad.shift"),
        numpy_helper.from_array(expand.T.copy(), "pad.project"),
    ]
    return nodes, initializers, "pad_out"


def classifier_reference(model, x, prefix_layers=0):
    """Forward pass from the saved model's initializers (by name, not from Python variables)."""
    w = inits(model)
    if prefix_layers:
        x = (x @ w["pad.expand"]).astype(F32)
        for _ in range(prefix_layers):
            x = (x @ w["pad.shift"]).astype(F32)
        x = (x @ w["pad.project"]).astype(F32)
    h = np.maximum(x @ w["fc1.weight"].T + w["fc1.bias"], F32(0)).astype(F32)
    logits = (h @ w["fc2.weight"].T + w["fc2.bias"]).astype(F32)
    p = softmax(logits)
    return {"probabilities": p, "label": np.argmax(p, axis=1).astype(np.int64)}, logits


# ------------------------------------------------------------------ the others


def regression_model():
    rng = np.random.default_rng(31337)
    w = np.round(rng.standard_normal((4, 1)) * 2.0, 6).astype(np.float64)
    b = np.array([0.5], dtype=np.float64)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["features", "linear.weight"], ["matmul_out"], name="matmul"),
            helper.make_node("Add", ["matmul_out", "linear.bias"], ["prediction"], name="add"),
        ],
        "regression",
        [helper.make_tensor_value_info("features", TensorProto.DOUBLE, ["batch", 4])],
        [helper.make_tensor_value_info("prediction", TensorProto.DOUBLE, ["batch", 1])],
        initializer=[numpy_helper.from_array(w, "linear.weight"), numpy_helper.from_array(b, "linear.bias")],
    )
    return make_model(graph, "FP64 linear regression: prediction = features @ W + b.")


def regression_reference(model, x):
    w = inits(model)
    return {"prediction": x @ w["linear.weight"] + w["linear.bias"]}


def multi_input_model():
    graph = helper.make_graph(
        [
            helper.make_node("Cast", ["ids"], ["ids_f"], name="cast_ids", to=TensorProto.FLOAT),
            helper.make_node("Cast", ["mask"], ["mask_f"], name="cast_mask_f", to=TensorProto.FLOAT),
            helper.make_node("Mul", ["ids_f", "mask_f"], ["masked"], name="mul_mask"),
            helper.make_node("Mul", ["masked", "scale"], ["weighted"], name="mul_scale"),
            helper.make_node("Cast", ["mask"], ["mask_i"], name="cast_mask_i", to=TensorProto.INT32),
            helper.make_node("ReduceSum", ["mask_i", "reduce_axes"], ["count"], name="count_mask", keepdims=0),
            helper.make_node("Identity", ["tag"], ["tag_out"], name="pass_tag"),
        ],
        "multi_input",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", 3]),
            helper.make_tensor_value_info("mask", TensorProto.BOOL, ["batch", 3]),
            helper.make_tensor_value_info("scale", TensorProto.FLOAT, ["batch", 1]),
            helper.make_tensor_value_info("tag", TensorProto.STRING, ["batch"]),
        ],
        [
            helper.make_tensor_value_info("weighted", TensorProto.FLOAT, ["batch", 3]),
            helper.make_tensor_value_info("count", TensorProto.INT32, ["batch"]),
            helper.make_tensor_value_info("tag_out", TensorProto.STRING, ["batch"]),
        ],
        initializer=[numpy_helper.from_array(np.array([1], dtype=np.int64), "reduce_axes")],
    )
    return make_model(
        graph,
        "Several datatypes: weighted = float(ids) * float(mask) * scale; "
        "count = number of true mask entries per row; tag_out = tag.",
    )


def multi_input_reference(model, ids, mask, scale, tag):
    axes = tuple(int(a) for a in inits(model)["reduce_axes"])
    return {
        "weighted": (ids.astype(F32) * mask.astype(F32) * scale).astype(F32),
        "count": mask.astype(np.int32).sum(axis=axes).astype(np.int32),
        "tag_out": tag.copy(),
    }


# ------------------------------------------------------------------ V2 JSON


V2_TYPES = {
    TensorProto.BOOL: "BOOL",
    TensorProto.INT32: "INT32",
    TensorProto.INT64: "INT64",
    TensorProto.FLOAT: "FP32",
    TensorProto.DOUBLE: "FP64",
    TensorProto.STRING: "BYTES",
}


def json_value(v, dtype):
    if dtype == "FP32":
        # Shortest decimal that round-trips to the same float32.
        d = float(np.format_float_positional(F32(v), unique=True, trim="-"))
        assert F32(d) == F32(v), (d, v)
        return d
    if dtype == "FP64":
        return float(v)
    if dtype == "BOOL":
        return bool(v)
    if dtype in ("INT32", "INT64"):
        return int(v)
    if dtype == "BYTES":
        return v.decode("utf-8") if isinstance(v, bytes) else str(v)
    raise ValueError(dtype)


def v2_tensors(values, value_infos):
    out = []
    for vi in value_infos:
        dtype = V2_TYPES[vi.type.tensor_type.elem_type]
        arr = values[vi.name]
        out.append(
            {
                "name": vi.name,
                "datatype": dtype,
                "shape": [int(d) for d in arr.shape],
                "data": [json_value(v, dtype) for v in arr.reshape(-1).tolist()],
            }
        )
    return out


def declared(value_infos):
    return [
        {
            "name": vi.name,
            "datatype": V2_TYPES[vi.type.tensor_type.elem_type],
            "shape": [d.dim_value if d.HasField("dim_value") else -1 for d in vi.type.tensor_type.shape.dim],
        }
        for vi in value_infos
    ]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def assert_close(a, b, what):
    assert a.shape == b.shape and a.dtype == b.dtype, (what, a.shape, b.shape, a.dtype, b.dtype)
    if a.dtype == object or a.dtype.kind in "biu":
        assert np.array_equal(a, b), what
    else:
        assert np.allclose(a, b, rtol=TOLERANCE, atol=TOLERANCE), (what, np.abs(a - b).max())


def assert_same(ref, interp, what):
    assert set(ref) == set(interp), (what, set(ref), set(interp))
    for k in ref:
        assert_close(ref[k], interp[k], f"{what}/{k}")


# ------------------------------------------------------------------ main


def main():
    w1, b1, w2, b2 = classifier_weights()
    shift = [1, 2, 0]  # inaccurate canary: fc2 row i is stable row shift[i]

    pad_nodes, pad_inits, pad_out = slow_prefix()
    models = {
        "mlp-classifier": save(
            make_model(
                classifier_graph("mlp_classifier", w1, b1, w2, b2, "batch"),
                "Stable MLP classifier: Gemm(8->16) + Relu + Gemm(16->3) + Softmax; label = ArgMax.",
            ),
            "mlp-classifier.onnx",
        ),
        "mlp-classifier-slow": save(
            make_model(
                classifier_graph(
                    "mlp_classifier_slow", w1, b1, w2, b2, "batch", pad_nodes, pad_inits, first_input=pad_out
                ),
                f"Slower canary: the stable classifier behind {SLOW_LAYERS} MatMuls by signed permutation "
                "matrices whose product is the identity (same outputs, ~45x the FLOPs).",
            ),
            "mlp-classifier-slow.onnx",
        ),
        "mlp-classifier-inaccurate": save(
            make_model(
                classifier_graph("mlp_classifier_inaccurate", w1, b1, w2[shift], b2[shift], "batch"),
                "Less accurate canary: the stable classifier with its class rows rotated, "
                "so label = (stable label + 2) mod 3 on every input.",
            ),
            "mlp-classifier-inaccurate.onnx",
        ),
        "mlp-classifier-strict": save(
            make_model(
                classifier_graph("mlp_classifier_strict", w1, b1, w2, b2, 1),
                "Input-rejecting canary: the stable classifier with a fixed [1, 8] input (no batch dimension).",
            ),
            "mlp-classifier-strict.onnx",
        ),
        "regression": save(regression_model(), "regression.onnx"),
        "multi-input": save(multi_input_model(), "multi-input.onnx"),
    }

    # ---- broad numpy cross-checks on many random inputs
    rng = np.random.default_rng(99)
    xs = rng.standard_normal((2000, IN_FEATURES)).astype(F32)
    stable, stable_logits = classifier_reference(models["mlp-classifier"], xs)
    assert_same(stable, run_graph(models["mlp-classifier"], {"input": xs}), "mlp-classifier")
    counts = np.bincount(stable["label"], minlength=CLASSES)
    assert counts.min() > len(xs) // 10, counts  # all classes occur

    # the slow model is slow in numpy too: its checks use the first 200 inputs
    slow, _ = classifier_reference(models["mlp-classifier-slow"], xs[:200], SLOW_LAYERS)
    assert_same(slow, run_graph(models["mlp-classifier-slow"], {"input": xs[:200]}), "mlp-classifier-slow")
    assert_same({k: v[:200] for k, v in stable.items()}, slow, "slow vs stable")

    bad, _ = classifier_reference(models["mlp-classifier-inaccurate"], xs)
    assert_same(bad, run_graph(models["mlp-classifier-inaccurate"], {"input": xs}), "mlp-classifier-inaccurate")
    agree = float(np.mean(bad["label"] == stable["label"]))
    assert agree < 0.01, agree

    strict_model = models["mlp-classifier-strict"]
    for row in xs[:50]:
        one = row.reshape(1, -1)
        s, _ = classifier_reference(strict_model, one)
        assert_same(s, run_graph(strict_model, {"input": one}), "mlp-classifier-strict")
        assert_same(s, {k: v[:1] for k, v in classifier_reference(models["mlp-classifier"], one)[0].items()}, "strict")
    try:
        run_graph(strict_model, {"input": xs[:4]})
        raise AssertionError("strict model accepted a batch of 4")
    except ValueError:
        pass

    # FLOPs (multiply-adds per row) of the MatMul/Gemm weights
    def macs(model):
        """Multiply-adds per row: each MatMul/Gemm node costs its weight's size (shared weights count per use)."""
        w = inits(model)
        return sum(int(np.prod(w[name].shape)) for n in model.graph.node if n.op_type in ("MatMul", "Gemm")
                   for name in n.input[1:2] if name in w)

    flop_ratio = macs(models["mlp-classifier-slow"]) / macs(models["mlp-classifier"])
    assert 200_000 <= flop_ratio <= 800_000, flop_ratio

    # ---- test cases
    def cls_inputs(seed, n):
        r = np.random.default_rng(seed)
        while True:
            x = np.round(r.standard_normal((n, IN_FEATURES)) * 1.5, 3).astype(F32)
            p = classifier_reference(models["mlp-classifier"], x)[0]["probabilities"]
            top2 = np.sort(p, axis=1)[:, -2:]
            if np.all(top2[:, 1] - top2[:, 0] > 0.05):  # no near-ties: labels are unambiguous
                return x

    cls_cases = [("batch-1", cls_inputs(1, 1)), ("batch-4", cls_inputs(4, 4)), ("batch-2", cls_inputs(2, 2))]
    # make the batch-4 case cover all three labels
    all_labels = classifier_reference(models["mlp-classifier"], cls_cases[1][1])[0]["label"]
    seed = 40
    while len(set(all_labels.tolist())) < CLASSES:
        seed += 1
        cls_cases[1] = ("batch-4", cls_inputs(seed, 4))
        all_labels = classifier_reference(models["mlp-classifier"], cls_cases[1][1])[0]["label"]

    strict_cases = [("batch-1-a", cls_cases[0][1]), ("batch-1-b", cls_cases[2][1][:1]), ("batch-1-c", cls_cases[2][1][1:])]

    def reg_inputs(seed, n):
        return np.round(np.random.default_rng(seed).standard_normal((n, 4)) * 3.0, 4).astype(np.float64)

    reg_cases = [("batch-1", reg_inputs(11, 1)), ("batch-4", reg_inputs(14, 4)), ("batch-2", reg_inputs(12, 2))]

    def mi_inputs(seed, n):
        r = np.random.default_rng(seed)
        return {
            "ids": r.integers(-5, 100, (n, 3)).astype(np.int64),
            "mask": r.random((n, 3)) < 0.6,
            "scale": np.round(r.uniform(-2, 2, (n, 1)), 2).astype(F32),
            "tag": np.array([f"{w}-{i}" for i, w in enumerate(r.choice(["alpha", "beta", "gamma", "delta"], n))], dtype=object),
        }

    mi_cases = [("batch-1", mi_inputs(21, 1)), ("batch-4", mi_inputs(24, 4)), ("batch-2", mi_inputs(22, 2))]
    mi_cases[1][1]["mask"][0] = [True, True, True]
    mi_cases[1][1]["mask"][1] = [False, False, False]

    def case(model, name, feeds, ref):
        got = run_graph(model, feeds)
        assert_same(ref, got, f"{model.graph.name}/{name}")
        return {
            "name": name,
            "inputs": v2_tensors(feeds, model.graph.input),
            "outputs": v2_tensors(ref, model.graph.output),
        }

    entries = {}

    def entry(key, purpose, cases, **extra):
        model = models[key]
        path = os.path.join(OUT_DIR, f"{key}.onnx")
        entries[key] = {
            "file": f"{key}.onnx",
            "sha256": sha256(path),
            "sizeBytes": os.path.getsize(path),
            "purpose": purpose,
            "inputs": declared(model.graph.input),
            "outputs": declared(model.graph.output),
            **extra,
            "testCases": cases,
        }

    entry(
        "mlp-classifier",
        "stable model",
        [case(models["mlp-classifier"], n, {"input": x}, classifier_reference(models["mlp-classifier"], x)[0]) for n, x in cls_cases],
    )
    entry(
        "mlp-classifier-slow",
        "slower canary: same outputs as mlp-classifier, ~%.0fx the FLOPs (%d extra MatMul nodes of width %d)" % (flop_ratio, SLOW_LAYERS + 2, SLOW_WIDTH),
        [
            case(models["mlp-classifier-slow"], n, {"input": x}, classifier_reference(models["mlp-classifier-slow"], x, SLOW_LAYERS)[0])
            for n, x in cls_cases
        ],
    )
    entry(
        "mlp-classifier-inaccurate",
        "less accurate canary: same shapes as mlp-classifier, label = (mlp-classifier label + 2) mod 3, "
        "so it disagrees with mlp-classifier on every input",
        [
            case(models["mlp-classifier-inaccurate"], n, {"input": x}, classifier_reference(models["mlp-classifier-inaccurate"], x)[0])
            for n, x in cls_cases
        ],
    )
    entry(
        "mlp-classifier-strict",
        "input-rejecting canary: same outputs as mlp-classifier for a single row, but the input shape is fixed "
        "to [1, 8], so batches the stable model accepts are rejected",
        [
            case(models["mlp-classifier-strict"], n, {"input": x}, classifier_reference(models["mlp-classifier-strict"], x)[0])
            for n, x in strict_cases
        ],
        rejectedCases=[
            {
                "name": "batch-4",
                "reason": "input 'input' has a fixed first dimension of 1",
                "inputs": v2_tensors({"input": cls_cases[1][1]}, models["mlp-classifier-strict"].graph.input),
            }
        ],
    )
    entry(
        "regression",
        "regression: FP64 in, FP64 out",
        [case(models["regression"], n, {"features": x}, regression_reference(models["regression"], x)) for n, x in reg_cases],
    )
    entry(
        "multi-input",
        "several datatypes: INT64, BOOL, FP32 and BYTES (string) inputs; FP32, INT32 and BYTES outputs",
        [case(models["multi-input"], n, f, multi_input_reference(models["multi-input"], **f)) for n, f in mi_cases],
    )

    # The strict/slow/inaccurate cases must line up with the stable ones as promised.
    for a, b in zip(entries["mlp-classifier"]["testCases"], entries["mlp-classifier-slow"]["testCases"]):
        for oa, ob in zip(a["outputs"], b["outputs"]):
            assert np.allclose(oa["data"], ob["data"], rtol=TOLERANCE, atol=TOLERANCE)
    for a, b in zip(entries["mlp-classifier"]["testCases"], entries["mlp-classifier-inaccurate"]["testCases"]):
        la, lb = a["outputs"][1]["data"], b["outputs"][1]["data"]
        assert all((x + 2) % 3 == y for x, y in zip(la, lb)), (la, lb)

    doc = {
        "description": "Test cases for the models in this folder, as Open Inference Protocol (V2) tensors. "
        "Generated by generate.py; expected outputs computed with numpy (float32 for FP32 models). "
        "Compare FP32/FP64 outputs with the tolerance below; integer, BOOL and BYTES outputs exactly. "
        "Declared shapes use -1 for the dynamic batch dimension.",
        "tolerance": {"absolute": TOLERANCE, "relative": TOLERANCE},
        "opset": OPSET,
        "irVersion": IR_VERSION,
        "models": entries,
    }
    with open(os.path.join(OUT_DIR, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")

    # Round-trip the JSON: FP32 values must parse back to the exact float32 numpy produced.
    with open(os.path.join(OUT_DIR, "expected.json"), encoding="utf-8") as f:
        back = json.load(f)
    for key, e in back["models"].items():
        for c in e["testCases"]:
            for t in c["inputs"] + c["outputs"]:
                assert len(t["data"]) == int(np.prod(t["shape"])), (key, c["name"], t["name"])

    for key, e in entries.items():
        print(f"{e['file']:32s} {e['sizeBytes']:8d} bytes  sha256 {e['sha256']}")
    print(f"slow/stable FLOP ratio {flop_ratio:.1f}; inaccurate agrees with stable on {agree:.1%} of {len(xs)} inputs")
    print(f"stable label counts on {len(xs)} random inputs: {counts.tolist()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
