#!/usr/bin/python3
"""Build small ONNX models of many kinds, with V2 requests and numpy-computed expected outputs.

Usage (needs the Debian python3-onnx, i.e. /usr/bin/python3; onnx 1.12 has no reference
evaluator, so every expected output is computed here with numpy):

    /usr/bin/python3 build_conformance_models.py OUT_DIR

For every case this writes OUT_DIR/<name>.onnx and OUT_DIR/<name>.json, the same JSON shape
as onnx_testdata_to_v2.py writes for ONNX's node tests, so one test loop serves both:

    {"name", "model", "skip": null, "request": {"id", "inputs": [...], "outputs": [...]},
     "expected": [{"name", "datatype", "shape", "data"}, ...]}

The models are what a model server meets outside ONNX's node tests: graphs as PyTorch's
exporter writes them (dotted and colon names, Gemm+Relu MLPs, Conv+BatchNorm CNNs, embeddings,
decomposed LayerNorm), every V2 datatype, several inputs and outputs of different types, fixed,
named and missing batch dimensions, 0-d and empty tensors, outputs whose first dimension is not
the batch, constant and initializer outputs, no inputs at all, optional outputs, opsets 7 to 17,
and inputs a server cannot synthesise sensible warm-up data for. The output is deterministic.
"""

import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as TP, helper, numpy_helper

F32 = np.float32
RNG = np.random.default_rng(13)

V2 = {TP.BOOL: "BOOL", TP.UINT8: "UINT8", TP.UINT16: "UINT16", TP.UINT32: "UINT32", TP.UINT64: "UINT64",
      TP.INT8: "INT8", TP.INT16: "INT16", TP.INT32: "INT32", TP.INT64: "INT64", TP.FLOAT16: "FP16",
      TP.FLOAT: "FP32", TP.DOUBLE: "FP64", TP.STRING: "BYTES", TP.BFLOAT16: "BF16"}
IR_FOR_OPSET = {7: 3, 11: 6, 13: 7, 17: 8}


# --------------------------------------------------------------------------- helpers

def bf16_round(a):
    """float32 values rounded to bfloat16 (nearest even), still as float32."""
    bits = np.asarray(a, dtype=F32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
    return bits.astype(np.uint32).view(F32)


def json_values(arr, elem):
    flat = np.asarray(arr).reshape(-1)
    if elem == TP.STRING:
        return [s.decode("utf-8") if isinstance(s, bytes) else str(s) for s in flat.tolist()]
    if elem == TP.BOOL:
        return [bool(v) for v in flat.tolist()]
    if elem in (TP.FLOAT16, TP.FLOAT, TP.DOUBLE, TP.BFLOAT16):
        out = []
        for v in flat.astype(np.float64).tolist():
            out.append(v if math.isfinite(v) else ("NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")))
        return out
    return [int(v) for v in flat.tolist()]


def tensor(name, elem, arr):
    arr = np.asarray(arr)
    return {"name": name, "datatype": V2[elem], "shape": [int(d) for d in arr.shape], "data": json_values(arr, elem)}


def init(name, arr, elem=None):
    arr = np.asarray(arr)
    if elem == TP.BFLOAT16:
        t = helper.make_tensor(name, TP.BFLOAT16, arr.shape, [0] * arr.size)
        del t.int32_data[:]
        t.int32_data.extend((np.asarray(arr, F32).view(np.uint32) >> 16).astype(np.int64).tolist())
        return t
    return numpy_helper.from_array(arr, name)


class Case:
    def __init__(self, name, opset=13, doc=""):
        self.name, self.opset, self.doc = name, opset, doc
        self.inputs, self.outputs, self.nodes, self.inits = [], [], [], []
        self.request, self.expected, self.wanted = [], [], None
        self.extra_opsets = []
        self.checked = True  # onnx.checker demands shapes that ONNX Runtime does without
        self.ask_outputs = True  # False: the request names no outputs (the server returns them all)

    def input(self, name, elem, shape, value):
        self.inputs.append(helper.make_tensor_value_info(name, elem, shape))
        if value is not None:
            self.request.append(tensor(name, elem, value))
        return self

    def output(self, name, elem, shape, value, wanted=True):
        self.outputs.append(helper.make_tensor_value_info(name, elem, shape))
        if wanted:
            self.expected.append(tensor(name, elem, value))
        else:
            self.wanted = self.wanted or []
        return self

    def node(self, op, ins, outs, domain=None, **attrs):
        self.nodes.append(helper.make_node(op, ins, outs, domain=domain, **attrs))
        return self

    def const(self, name, arr, elem=None):
        self.inits.append(init(name, arr, elem))
        return self

    def model(self):
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, initializer=self.inits)
        opsets = [helper.make_opsetid("", self.opset)] + [helper.make_opsetid(d, v) for d, v in self.extra_opsets]
        m = helper.make_model(graph, opset_imports=opsets, producer_name="modelpilot-conformance",
                              producer_version="1", doc_string=self.doc)
        m.ir_version = IR_FOR_OPSET.get(self.opset, 8)
        return m


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


# --------------------------------------------------------------------------- numpy reference pieces

def gemm(x, w, b, trans_b=True):
    return (x @ (w.T if trans_b else w) + b).astype(F32)


def relu(x):
    return np.maximum(x, 0).astype(x.dtype)


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).astype(F32)


def conv2d(x, w, b, pad):
    n, c, h, wd = x.shape
    k, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    out = np.zeros((n, k, oh, ow), dtype=np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i:i + kh, j:j + kw].astype(np.float64)
            out[:, :, i, j] = np.tensordot(patch, w.astype(np.float64), axes=([1, 2, 3], [1, 2, 3]))
    return (out + b.reshape(1, -1, 1, 1)).astype(F32)


def rand(*shape):
    return RNG.standard_normal(shape).astype(F32)


# --------------------------------------------------------------------------- models as PyTorch exports them

@case
def pytorch_mlp_gemm_relu():
    x = rand(2, 4)
    w1, b1, w2, b2 = rand(8, 4), rand(8), rand(3, 8), rand(3)
    h = relu(gemm(x, w1, b1))
    logits = gemm(h, w2, b2)
    c = Case("pytorch_mlp_gemm_relu", opset=11, doc="torch.onnx.export of Linear-ReLU-Linear-Softmax")
    c.input("input.1", TP.FLOAT, ["batch_size", 4], x)
    c.const("fc1.weight", w1).const("fc1.bias", b1).const("fc2.weight", w2).const("fc2.bias", b2)
    c.node("Gemm", ["input.1", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"], alpha=1.0, beta=1.0, transB=1)
    c.node("Relu", ["/fc1/Gemm_output_0"], ["onnx::Gemm_7"])
    c.node("Gemm", ["onnx::Gemm_7", "fc2.weight", "fc2.bias"], ["logits:0"], alpha=1.0, beta=1.0, transB=1)
    c.node("Softmax", ["logits:0"], ["probabilities:0"], axis=1)
    c.output("logits:0", TP.FLOAT, ["batch_size", 3], logits)
    c.output("probabilities:0", TP.FLOAT, ["batch_size", 3], softmax(logits))
    return c


@case
def pytorch_flatten_mlp():
    x = rand(3, 1, 2, 3)
    w, b = rand(4, 6), rand(4)
    y = relu(gemm(x.reshape(3, 6), w, b))
    c = Case("pytorch_flatten_mlp", opset=13)
    c.input("x.1", TP.FLOAT, ["N", 1, 2, 3], x)
    c.const("linear.weight", w).const("linear.bias", b)
    c.node("Flatten", ["x.1"], ["/flatten/Flatten_output_0"], axis=1)
    c.node("Gemm", ["/flatten/Flatten_output_0", "linear.weight", "linear.bias"], ["/linear/Gemm_output_0"], transB=1)
    c.node("Relu", ["/linear/Gemm_output_0"], ["output"])
    c.output("output", TP.FLOAT, ["N", 4], y)
    return c


def small_cnn(name, dynamic_hw, pad):
    x = rand(2, 1, 5, 5)
    w, b = rand(2, 1, 3, 3), rand(2)
    scale, bias, mean, var = rand(2), rand(2), rand(2), np.abs(rand(2)) + F32(0.5)
    fc_w, fc_b = rand(3, 2), rand(3)
    y = conv2d(x, w, b, pad)
    y = ((y - mean.reshape(1, -1, 1, 1)) / np.sqrt(var.reshape(1, -1, 1, 1) + F32(1e-5))
         * scale.reshape(1, -1, 1, 1) + bias.reshape(1, -1, 1, 1)).astype(F32)
    y = relu(y).mean(axis=(2, 3)).astype(F32)
    out = gemm(y, fc_w, fc_b)
    c = Case(name, opset=13, doc="Conv-BatchNorm-ReLU-GlobalAveragePool-Flatten-Linear")
    c.input("input.1", TP.FLOAT, ["batch", 1, "height", "width"] if dynamic_hw else ["batch", 1, 5, 5], x)
    c.const("conv.weight", w).const("conv.bias", b).const("bn.weight", scale).const("bn.bias", bias)
    c.const("bn.running_mean", mean).const("bn.running_var", var).const("fc.weight", fc_w).const("fc.bias", fc_b)
    c.node("Conv", ["input.1", "conv.weight", "conv.bias"], ["/conv/Conv_output_0"], kernel_shape=[3, 3],
           pads=[pad] * 4, strides=[1, 1])
    c.node("BatchNormalization", ["/conv/Conv_output_0", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"],
           ["/bn/BatchNormalization_output_0"], epsilon=1e-5)
    c.node("Relu", ["/bn/BatchNormalization_output_0"], ["/relu/Relu_output_0"])
    c.node("GlobalAveragePool", ["/relu/Relu_output_0"], ["/pool/GlobalAveragePool_output_0"])
    c.node("Flatten", ["/pool/GlobalAveragePool_output_0"], ["/Flatten_output_0"], axis=1)
    c.node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["output"], transB=1)
    c.output("output", TP.FLOAT, ["batch", 3], out)
    return c


@case
def pytorch_small_cnn():
    return small_cnn("pytorch_small_cnn", False, 1)


@case
def pytorch_cnn_dynamic_height_width():
    # synthesised warm-up data with the named spatial dimensions as 1 is smaller than the 3x3 kernel
    return small_cnn("pytorch_cnn_dynamic_height_width", True, 0)


@case
def pytorch_embedding_mean():
    ids = np.array([[1, 4, 9], [0, 0, 7]], dtype=np.int64)
    table = rand(10, 4)
    pooled = table[ids].mean(axis=1).astype(F32)
    c = Case("pytorch_embedding_mean", opset=13)
    c.input("input_ids", TP.INT64, ["batch", "sequence"], ids)
    c.const("embeddings.weight", table)
    c.node("Gather", ["embeddings.weight", "input_ids"], ["/embeddings/Gather_output_0"], axis=0)
    c.node("ReduceMean", ["/embeddings/Gather_output_0"], ["pooled"], axes=[1], keepdims=0)
    c.output("pooled", TP.FLOAT, ["batch", 4], pooled)
    return c


@case
def gather_from_one_row_table():
    # the only valid index is 0: random integer warm-up data is out of range
    ids = np.array([[0], [0]], dtype=np.int64)
    table = rand(1, 3)
    c = Case("gather_from_one_row_table", opset=13)
    c.input("token", TP.INT64, ["batch", 1], ids)
    c.const("table", table)
    c.node("Gather", ["table", "token"], ["/Gather_output_0"], axis=0)
    c.node("Flatten", ["/Gather_output_0"], ["vector"], axis=1)
    c.output("vector", TP.FLOAT, ["batch", 3], table[ids].reshape(2, 3))
    return c


@case
def gather_int32_indices():
    ids = np.array([3, 0, 4], dtype=np.int32)
    table = rand(5, 2)
    c = Case("gather_int32_indices", opset=13)
    c.input("ids", TP.INT32, ["n"], ids)
    c.const("table", table)
    c.node("Gather", ["table", "ids"], ["rows"], axis=0)
    c.output("rows", TP.FLOAT, ["n", 2], table[ids])
    return c


@case
def layernorm_decomposed():
    x = rand(2, 3, 4)
    gamma, beta = rand(4), rand(4)
    mean = x.mean(axis=-1, keepdims=True)
    d = x - mean
    var = (d ** 2).mean(axis=-1, keepdims=True)
    y = (d / np.sqrt(var + F32(1e-5)) * gamma + beta).astype(F32)
    c = Case("layernorm_decomposed", opset=13, doc="LayerNorm as torch exported it before opset 17")
    c.input("hidden_states", TP.FLOAT, ["batch", "seq", 4], x)
    c.const("ln.weight", gamma).const("ln.bias", beta)
    c.const("/ln/Constant_output_0", np.array(2.0, F32)).const("/ln/Constant_1_output_0", np.array(1e-5, F32))
    c.node("ReduceMean", ["hidden_states"], ["/ln/ReduceMean_output_0"], axes=[-1], keepdims=1)
    c.node("Sub", ["hidden_states", "/ln/ReduceMean_output_0"], ["/ln/Sub_output_0"])
    c.node("Pow", ["/ln/Sub_output_0", "/ln/Constant_output_0"], ["/ln/Pow_output_0"])
    c.node("ReduceMean", ["/ln/Pow_output_0"], ["/ln/ReduceMean_1_output_0"], axes=[-1], keepdims=1)
    c.node("Add", ["/ln/ReduceMean_1_output_0", "/ln/Constant_1_output_0"], ["/ln/Add_output_0"])
    c.node("Sqrt", ["/ln/Add_output_0"], ["/ln/Sqrt_output_0"])
    c.node("Div", ["/ln/Sub_output_0", "/ln/Sqrt_output_0"], ["/ln/Div_output_0"])
    c.node("Mul", ["/ln/Div_output_0", "ln.weight"], ["/ln/Mul_output_0"])
    c.node("Add", ["/ln/Mul_output_0", "ln.bias"], ["last_hidden_state"])
    c.output("last_hidden_state", TP.FLOAT, ["batch", "seq", 4], y)
    return c


@case
def layernorm_opset17():
    x = rand(2, 4)
    gamma, beta = rand(4), rand(4)
    mean = x.mean(axis=-1, keepdims=True)
    y = ((x - mean) / np.sqrt(((x - mean) ** 2).mean(axis=-1, keepdims=True) + F32(1e-5)) * gamma + beta).astype(F32)
    c = Case("layernorm_opset17", opset=17)
    c.input("x", TP.FLOAT, ["batch", 4], x)
    c.const("ln.weight", gamma).const("ln.bias", beta)
    c.node("LayerNormalization", ["x", "ln.weight", "ln.bias"], ["y"], axis=-1, epsilon=1e-5)
    c.output("y", TP.FLOAT, ["batch", 4], y)
    return c


@case
def where_expand_constant_of_shape():
    x = rand(2, 3)
    cond = np.array([[True, False, True], [False, False, True]])
    row = rand(3)
    masked = np.where(cond, x, F32(-1)).astype(F32)
    c = Case("where_expand_constant_of_shape", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x).input("keep", TP.BOOL, ["N", 3], cond)
    c.const("row", row)
    c.node("Shape", ["x"], ["/Shape_output_0"])
    c.node("ConstantOfShape", ["/Shape_output_0"], ["/ConstantOfShape_output_0"],
           value=helper.make_tensor("value", TP.FLOAT, [1], [-1.0]))
    c.node("Where", ["keep", "x", "/ConstantOfShape_output_0"], ["masked"])
    c.node("Expand", ["row", "/Shape_output_0"], ["/Expand_output_0"])
    c.node("Add", ["masked", "/Expand_output_0"], ["shifted"])
    c.output("masked", TP.FLOAT, ["N", 3], masked)
    c.output("shifted", TP.FLOAT, ["N", 3], (masked + row).astype(F32))
    return c


@case
def cast_chain_every_output_type():
    x = np.array([[1.5, -2.25, 3.0, 100.75], [0.0, 7.5, -0.5, 12.0]], dtype=F32)
    a = np.abs(x)
    c = Case("cast_chain_every_output_type", opset=13, doc="Cast chains, and outputs of types requests cannot carry")
    c.input("x", TP.FLOAT, ["N", 4], x)
    c.node("Cast", ["x"], ["as_int32"], to=TP.INT32)
    c.node("Cast", ["as_int32"], ["as_fp16"], to=TP.FLOAT16)
    c.node("Cast", ["as_fp16"], ["as_fp64"], to=TP.DOUBLE)
    c.node("Abs", ["x"], ["/Abs_output_0"])
    c.node("Cast", ["/Abs_output_0"], ["as_uint8"], to=TP.UINT8)
    c.node("Cast", ["/Abs_output_0"], ["as_uint16"], to=TP.UINT16)
    c.node("Cast", ["/Abs_output_0"], ["as_uint32"], to=TP.UINT32)
    c.node("Cast", ["/Abs_output_0"], ["as_uint64"], to=TP.UINT64)
    c.node("Cast", ["x"], ["as_int8"], to=TP.INT8)
    c.node("Cast", ["x"], ["as_int16"], to=TP.INT16)
    c.node("Cast", ["x"], ["as_int64"], to=TP.INT64)
    c.node("Cast", ["x"], ["as_bool"], to=TP.BOOL)
    c.node("Cast", ["x"], ["as_bf16"], to=TP.BFLOAT16)
    t = x.astype(np.int32)
    c.output("as_int32", TP.INT32, ["N", 4], t)
    c.output("as_fp16", TP.FLOAT16, ["N", 4], t.astype(np.float16))
    c.output("as_fp64", TP.DOUBLE, ["N", 4], t.astype(np.float64))
    c.output("as_uint8", TP.UINT8, ["N", 4], a.astype(np.uint8))
    c.output("as_uint16", TP.UINT16, ["N", 4], a.astype(np.uint16))
    c.output("as_uint32", TP.UINT32, ["N", 4], a.astype(np.uint32))
    c.output("as_uint64", TP.UINT64, ["N", 4], a.astype(np.uint64))
    c.output("as_int8", TP.INT8, ["N", 4], x.astype(np.int8))
    c.output("as_int16", TP.INT16, ["N", 4], x.astype(np.int16))
    c.output("as_int64", TP.INT64, ["N", 4], x.astype(np.int64))
    c.output("as_bool", TP.BOOL, ["N", 4], x != 0)
    c.output("as_bf16", TP.BFLOAT16, ["N", 4], bf16_round(x))
    return c


@case
def topk_values_and_indices():
    x = np.array([[0.1, 0.9, 0.3, 0.7, 0.5], [5.0, -1.0, 2.0, 4.0, 3.0]], dtype=F32)
    idx = np.argsort(-x, axis=1)[:, :3]
    c = Case("topk_values_and_indices", opset=11)
    c.ask_outputs = False
    c.input("scores", TP.FLOAT, ["N", 5], x)
    c.const("k", np.array([3], dtype=np.int64))
    c.node("TopK", ["scores", "k"], ["values", "indices"], axis=-1, largest=1, sorted=1)
    c.output("values", TP.FLOAT, ["N", 3], np.take_along_axis(x, idx, axis=1))
    c.output("indices", TP.INT64, ["N", 3], idx.astype(np.int64))
    return c


@case
def argmax_keepdims_0_classifier():
    x = rand(3, 5)
    c = Case("argmax_keepdims_0_classifier", opset=13)
    c.input("logits", TP.FLOAT, ["batch", 5], x)
    c.node("ArgMax", ["logits"], ["label"], axis=1, keepdims=0)
    c.node("ReduceMax", ["logits"], ["score"], axes=[1], keepdims=0)
    c.output("label", TP.INT64, ["batch"], x.argmax(axis=1).astype(np.int64))
    c.output("score", TP.FLOAT, ["batch"], x.max(axis=1))
    return c


@case
def identity_passthrough():
    x = rand(2, 3)
    c = Case("identity_passthrough", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x)
    c.node("Identity", ["x"], ["same"])
    c.node("Relu", ["x"], ["relu"])
    c.output("same", TP.FLOAT, ["N", 3], x)
    c.output("relu", TP.FLOAT, ["N", 3], relu(x))
    return c


@case
def graph_output_is_a_graph_input():
    x = rand(2, 3)
    c = Case("graph_output_is_a_graph_input", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x)
    c.node("Neg", ["x"], ["negated"])
    c.output("x", TP.FLOAT, ["N", 3], x)
    c.output("negated", TP.FLOAT, ["N", 3], -x)
    return c


# --------------------------------------------------------------------------- every datatype

DTYPE_VALUES = {
    TP.BOOL: np.array([[True, False, True], [False, False, True]]),
    TP.UINT8: np.array([[0, 255, 7], [128, 1, 42]], dtype=np.uint8),
    TP.INT8: np.array([[-128, 127, 0], [-1, 5, 64]], dtype=np.int8),
    TP.INT16: np.array([[-32768, 32767, 0], [-300, 300, 1]], dtype=np.int16),
    TP.INT32: np.array([[-2 ** 31, 2 ** 31 - 1, 0], [-7, 70000, 1]], dtype=np.int32),
    TP.INT64: np.array([[-2 ** 63, 2 ** 63 - 1, 0], [2 ** 53 + 1, -(2 ** 40), 3]], dtype=np.int64),
    TP.FLOAT16: np.array([[0.5, -1.25, 65504.0], [6.103515625e-05, 0.0, -3.0]], dtype=np.float16),
    TP.FLOAT: np.array([[0.1, -2.5, 3.4e38], [1e-30, 0.0, -7.25]], dtype=F32),
    TP.DOUBLE: np.array([[1e300, -1e-300, 0.1], [2.0 ** 60, -0.0, 3.141592653589793]], dtype=np.float64),
    TP.STRING: np.array([["hello", "", "ünïcödé ✓"], ["with \"quotes\"", "a\nb", "x" * 40]],
                        dtype=object),
    TP.BFLOAT16: np.array([[1.5, -2.0, 0.0078125], [256.0, -0.375, 3.0]], dtype=F32),
}


def dtype_case(elem):
    name = "dtype_%s" % V2[elem].lower()
    v = DTYPE_VALUES[elem]
    c = Case(name, opset=13)
    c.input("x", elem, ["N", 3], v)
    c.node("Identity", ["x"], ["y"])
    c.output("y", elem, ["N", 3], v)
    if elem != TP.STRING:
        c.node("Cast", ["x"], ["as_fp64"], to=TP.DOUBLE)
        c.output("as_fp64", TP.DOUBLE, ["N", 3], v.astype(np.float64))
    return c


for _elem in DTYPE_VALUES:
    CASES.append(lambda e=_elem: dtype_case(e))


@case
def fp16_arithmetic():
    x = np.array([[0.5, -1.0, 2.0], [4.0, 0.25, -8.0]], dtype=np.float16)
    c = Case("fp16_arithmetic", opset=13)
    c.input("x", TP.FLOAT16, ["N", 3], x)
    c.const("b", np.array([1.0, 2.0, 0.5], dtype=np.float16))
    c.node("Add", ["x", "b"], ["sum"])
    c.node("Mul", ["x", "b"], ["product"])
    c.output("sum", TP.FLOAT16, ["N", 3], (x + np.array([1.0, 2.0, 0.5], np.float16)).astype(np.float16))
    c.output("product", TP.FLOAT16, ["N", 3], (x * np.array([1.0, 2.0, 0.5], np.float16)).astype(np.float16))
    return c


@case
def bf16_cast_round_trip():
    x = np.array([[1.0, 2.5, -0.15625], [1.00390625, 3.0e-3, 1000.0]], dtype=F32)
    c = Case("bf16_cast_round_trip", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x)
    c.node("Cast", ["x"], ["as_bf16"], to=TP.BFLOAT16)
    c.node("Cast", ["as_bf16"], ["back"], to=TP.FLOAT)
    c.output("as_bf16", TP.BFLOAT16, ["N", 3], bf16_round(x))
    c.output("back", TP.FLOAT, ["N", 3], bf16_round(x))
    return c


@case
def uint32_input_cannot_be_created():
    # ONNX Runtime's Java API cannot create UINT32 tensors: the request cannot run, but the model must load
    x = np.array([1, 2, 4000000000], dtype=np.uint32)
    c = Case("uint32_input_cannot_be_created", opset=13)
    c.input("x", TP.UINT32, ["n"], x)
    c.node("Cast", ["x"], ["y"], to=TP.INT64)
    c.output("y", TP.INT64, ["n"], x.astype(np.int64))
    return c


@case
def non_finite_outputs():
    x = np.array([[1.0, -1.0, 0.0]], dtype=F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (x / F32(0)).astype(F32)
        lg = np.log(np.array([[-1.0, 0.0, 1.0]], dtype=np.float64))
    c = Case("non_finite_outputs", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x)
    c.input("d", TP.DOUBLE, ["N", 3], np.array([[-1.0, 0.0, 1.0]]))
    c.const("zero", np.array(0.0, F32))
    c.node("Div", ["x", "zero"], ["quotient"])
    c.node("Log", ["d"], ["log"])
    c.output("quotient", TP.FLOAT, ["N", 3], q)
    c.output("log", TP.DOUBLE, ["N", 3], lg)
    return c


# --------------------------------------------------------------------------- shapes

@case
def no_batch_dim_fixed_shape():
    x, w = rand(3, 4), rand(4, 2)
    c = Case("no_batch_dim_fixed_shape", opset=13)
    c.input("x", TP.FLOAT, [3, 4], x)
    c.const("w", w)
    c.node("MatMul", ["x", "w"], ["y"])
    c.output("y", TP.FLOAT, [3, 2], (x @ w).astype(F32))
    return c


@case
def fixed_batch_of_one():
    x, w = rand(1, 4), rand(4, 2)
    c = Case("fixed_batch_of_one", opset=13)
    c.input("x", TP.FLOAT, [1, 4], x)
    c.const("w", w)
    c.node("MatMul", ["x", "w"], ["y"])
    c.output("y", TP.FLOAT, [1, 2], (x @ w).astype(F32))
    return c


@case
def named_dims_in_non_batch_positions():
    x = rand(2, 5)
    c = Case("named_dims_in_non_batch_positions", opset=13)
    c.input("x", TP.FLOAT, [2, "length"], x)
    c.node("Relu", ["x"], ["y"])
    c.node("ReduceSum", ["x"], ["total"], keepdims=1)
    c.output("y", TP.FLOAT, [2, "length"], relu(x))
    c.output("total", TP.FLOAT, [1, 1], x.sum(keepdims=True).astype(F32))
    return c


@case
def matmul_shared_named_dim():
    a, b = rand(2, 3), rand(3, 4)
    c = Case("matmul_shared_named_dim", opset=13)
    c.input("a", TP.FLOAT, ["N", "K"], a).input("b", TP.FLOAT, ["K", "M"], b)
    c.node("MatMul", ["a", "b"], ["c"])
    c.output("c", TP.FLOAT, ["N", "M"], (a @ b).astype(F32))
    return c


@case
def transpose_batch_moves():
    # the output's first dimension is not the batch: stacking requests would mix them up
    x = rand(2, 3)
    c = Case("transpose_batch_moves", opset=13)
    c.input("x", TP.FLOAT, ["N", "K"], x)
    c.node("Transpose", ["x"], ["xt"], perm=[1, 0])
    c.output("xt", TP.FLOAT, ["K", "N"], x.T)
    return c


@case
def two_inputs_with_different_batch_dims():
    a, b = rand(2, 3), rand(2, 3)
    c = Case("two_inputs_with_different_batch_dims", opset=13)
    c.input("a", TP.FLOAT, ["N", 3], a).input("b", TP.FLOAT, ["M", 3], b)
    c.node("Concat", ["a", "b"], ["both"], axis=0)
    c.output("both", TP.FLOAT, ["N_plus_M", 3], np.concatenate([a, b]))
    return c


@case
def scalar_inputs_and_outputs():
    c = Case("scalar_inputs_and_outputs", opset=13)
    c.input("x", TP.FLOAT, [], np.array(1.75, F32)).input("n", TP.INT64, [], np.array(41, np.int64))
    c.const("two", np.array(2.0, F32)).const("one", np.array(1, np.int64))
    c.node("Mul", ["x", "two"], ["doubled"])
    c.node("Add", ["n", "one"], ["next"])
    c.output("doubled", TP.FLOAT, [], np.array(3.5, F32))
    c.output("next", TP.INT64, [], np.array(42, np.int64))
    return c


@case
def scalar_and_batch_inputs():
    x = rand(2, 3)
    c = Case("scalar_and_batch_inputs", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x).input("scale", TP.FLOAT, [], np.array(-0.5, F32))
    c.node("Mul", ["x", "scale"], ["y"])
    c.output("y", TP.FLOAT, ["N", 3], (x * F32(-0.5)).astype(F32))
    return c


@case
def outputs_without_the_batch_dim():
    x = rand(3, 4)
    c = Case("outputs_without_the_batch_dim", opset=13, doc="ReduceSum over the batch, Shape, Size")
    c.ask_outputs = False
    c.input("x", TP.FLOAT, ["N", 4], x)
    c.const("axes", np.array([0], np.int64))
    c.node("ReduceSum", ["x", "axes"], ["column_sums"], keepdims=0)
    c.node("ReduceSum", ["x", "axes"], ["column_sums_kept"], keepdims=1)
    c.node("Shape", ["x"], ["shape"])
    c.node("Size", ["x"], ["size"])
    c.output("column_sums", TP.FLOAT, [4], x.sum(axis=0).astype(F32))
    c.output("column_sums_kept", TP.FLOAT, [1, 4], x.sum(axis=0, keepdims=True).astype(F32))
    c.output("shape", TP.INT64, [2], np.array([3, 4], np.int64))
    c.output("size", TP.INT64, [], np.array(12, np.int64))
    return c


@case
def empty_batch():
    x = np.zeros((0, 3), F32)
    c = Case("empty_batch", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x)
    c.node("Relu", ["x"], ["y"])
    c.output("y", TP.FLOAT, ["N", 3], x)
    return c


@case
def empty_named_inner_dim():
    x = np.zeros((2, 0), np.int64)
    c = Case("empty_named_inner_dim", opset=13)
    c.input("x", TP.INT64, [2, "L"], x)
    c.node("Identity", ["x"], ["y"])
    c.output("y", TP.INT64, [2, "L"], x)
    return c


@case
def empty_output_from_slice():
    x = rand(2, 3)
    c = Case("empty_output_from_slice", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x)
    c.const("starts", np.array([1], np.int64)).const("ends", np.array([1], np.int64))
    c.const("axes", np.array([1], np.int64))
    c.node("Slice", ["x", "starts", "ends", "axes"], ["nothing"])
    c.node("Relu", ["x"], ["y"])
    c.output("nothing", TP.FLOAT, ["N", 0], np.zeros((2, 0), F32))
    c.output("y", TP.FLOAT, ["N", 3], relu(x))
    return c


@case
def empty_strings():
    x = np.array([], dtype=object).reshape(0, 2)
    c = Case("empty_strings", opset=13)
    c.input("text", TP.STRING, ["N", 2], x)
    c.node("Identity", ["text"], ["same"])
    c.output("same", TP.STRING, ["N", 2], x)
    return c


@case
def scalar_string():
    x = np.array("a scalar", dtype=object)
    c = Case("scalar_string", opset=13)
    c.input("text", TP.STRING, [], x)
    c.node("Identity", ["text"], ["same"])
    c.output("same", TP.STRING, [], x)
    return c


# --------------------------------------------------------------------------- constants, no inputs, optional outputs

@case
def initializer_and_constant_outputs():
    x = rand(2, 2)
    table = rand(2, 2)
    c = Case("initializer_and_constant_outputs", opset=13)
    c.input("x", TP.FLOAT, ["N", 2], x)
    c.const("table", table)
    c.node("Constant", [], ["version"], value=helper.make_tensor("v", TP.INT64, [], [7]))
    c.node("Add", ["x", "table"], ["y"])
    c.output("y", TP.FLOAT, ["N", 2], (x + table).astype(F32))
    c.output("table", TP.FLOAT, [2, 2], table)
    c.output("version", TP.INT64, [], np.array(7, np.int64))
    return c


@case
def no_inputs():
    c = Case("no_inputs", opset=13)
    c.ask_outputs = False
    c.const("shape", np.array([2, 3], np.int64))
    c.node("Constant", [], ["answer"], value=helper.make_tensor("v", TP.FLOAT, [2], [4.0, 2.0]))
    c.node("ConstantOfShape", ["shape"], ["ones"], value=helper.make_tensor("v", TP.INT32, [1], [1]))
    c.output("answer", TP.FLOAT, [2], np.array([4.0, 2.0], F32))
    c.output("ones", TP.INT32, [2, 3], np.ones((2, 3), np.int32))
    return c


@case
def optional_dropout_mask_not_requested():
    x = rand(2, 3)
    c = Case("optional_dropout_mask_not_requested", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x)
    c.node("Dropout", ["x"], ["output", "mask"])
    c.output("output", TP.FLOAT, ["N", 3], x)
    c.output("mask", TP.BOOL, ["N", 3], None, wanted=False)
    return c


@case
def unused_optional_node_output():
    x = rand(1, 1, 4, 4)
    pooled = x.reshape(1, 1, 2, 2, 2, 2).max(axis=(3, 5))
    c = Case("unused_optional_node_output", opset=13)
    c.input("x", TP.FLOAT, ["N", 1, 4, 4], x)
    c.node("MaxPool", ["x"], ["pooled", "unused_indices"], kernel_shape=[2, 2], strides=[2, 2])
    c.output("pooled", TP.FLOAT, ["N", 1, 2, 2], pooled)
    return c


@case
def multi_input_multi_output_mixed_types():
    features = rand(2, 3)
    ids = np.array([5, -9], np.int64)
    mask = np.array([True, False])
    names = np.array(["alpha", "beta"], dtype=object)
    score = features.sum(axis=1).astype(F32)
    c = Case("multi_input_multi_output_mixed_types", opset=13)
    c.input("features", TP.FLOAT, ["N", 3], features).input("ids", TP.INT64, ["N"], ids)
    c.input("mask", TP.BOOL, ["N"], mask).input("names", TP.STRING, ["N"], names)
    c.const("axes", np.array([1], np.int64)).const("one", np.array(1, np.int64)).const("zero", np.array(0.0, F32))
    c.node("ReduceSum", ["features", "axes"], ["score"], keepdims=0)
    c.node("Add", ["ids", "one"], ["next_id"])
    c.node("Where", ["mask", "score", "zero"], ["masked_score"])
    c.node("Identity", ["names"], ["names_out"])
    c.output("score", TP.FLOAT, ["N"], score)
    c.output("next_id", TP.INT64, ["N"], ids + 1)
    c.output("masked_score", TP.FLOAT, ["N"], np.where(mask, score, F32(0)).astype(F32))
    c.output("names_out", TP.STRING, ["N"], names)
    c.request.reverse()  # the protocol does not order inputs
    return c


@case
def label_encoder_string_labels():
    x = rand(3, 3)
    classes = ["cat", "dog", "bird"]
    c = Case("label_encoder_string_labels", opset=13, doc="an sklearn-style classifier with string labels")
    c.extra_opsets.append(("ai.onnx.ml", 2))
    c.input("scores", TP.FLOAT, ["N", 3], x)
    c.node("ArgMax", ["scores"], ["index"], axis=1, keepdims=0)
    c.node("LabelEncoder", ["index"], ["label"], domain="ai.onnx.ml", keys_int64s=[0, 1, 2], values_strings=classes,
           default_string="unknown")
    c.output("index", TP.INT64, ["N"], x.argmax(axis=1).astype(np.int64))
    c.output("label", TP.STRING, ["N"], np.array([classes[i] for i in x.argmax(axis=1)], dtype=object))
    return c


@case
def range_from_scalar_inputs():
    # zeros as warm-up data make Range fail (delta 0)
    c = Case("range_from_scalar_inputs", opset=13)
    c.input("start", TP.FLOAT, [], np.array(1.0, F32)).input("limit", TP.FLOAT, [], np.array(3.0, F32))
    c.input("delta", TP.FLOAT, [], np.array(0.5, F32))
    c.node("Range", ["start", "limit", "delta"], ["values"])
    c.output("values", TP.FLOAT, ["count"], np.arange(1.0, 3.0, 0.5, dtype=F32))
    return c


@case
def reshape_to_shape_input():
    x = rand(2, 6)
    c = Case("reshape_to_shape_input", opset=13)
    c.input("x", TP.FLOAT, ["N", 6], x).input("shape", TP.INT64, [2], np.array([4, 3], np.int64))
    c.node("Reshape", ["x", "shape"], ["y"])
    c.output("y", TP.FLOAT, ["a", "b"], x.reshape(4, 3))
    return c


@case
def ir3_weights_listed_as_inputs():
    # IR 3 models list their initializers among the graph inputs too; clients do not send them
    x = rand(2, 3)
    w, b = rand(3, 2), rand(2)
    c = Case("ir3_weights_listed_as_inputs", opset=7)
    c.input("data", TP.FLOAT, ["N", 3], x)
    c.input("W", TP.FLOAT, [3, 2], None).input("B", TP.FLOAT, [2], None)
    c.const("W", w).const("B", b)
    c.node("Gemm", ["data", "W", "B"], ["out"])
    c.output("out", TP.FLOAT, ["N", 2], gemm(x, w, b, trans_b=False))
    return c


def softmax_sum_case(opset):
    x = rand(2, 4)
    c = Case("softmax_reduce_unsqueeze_opset%d" % opset, opset=opset)
    c.input("x", TP.FLOAT, ["N", 4], x)
    c.node("Softmax", ["x"], ["probs"], axis=1)
    if opset >= 13:
        c.const("axes", np.array([1], np.int64))
        c.node("ReduceSum", ["x", "axes"], ["total"], keepdims=0)
        c.node("Unsqueeze", ["total", "axes"], ["total_2d"])
    else:
        c.node("ReduceSum", ["x"], ["total"], axes=[1], keepdims=0)
        c.node("Unsqueeze", ["total"], ["total_2d"], axes=[1])
    c.output("probs", TP.FLOAT, ["N", 4], softmax(x))
    c.output("total_2d", TP.FLOAT, ["N", 1], x.sum(axis=1, keepdims=True).astype(F32))
    return c


for _opset in (7, 11, 13, 17):
    CASES.append(lambda o=_opset: softmax_sum_case(o))


@case
def input_without_shape():
    # a graph input with a type but no shape: any rank is valid
    x = rand(2, 3)
    c = Case("input_without_shape", opset=13)
    c.checked = False
    c.inputs.append(helper.make_tensor_value_info("x", TP.FLOAT, None))
    c.request.append(tensor("x", TP.FLOAT, x))
    c.node("Abs", ["x"], ["y"])
    c.outputs.append(helper.make_tensor_value_info("y", TP.FLOAT, None))
    c.expected.append(tensor("y", TP.FLOAT, np.abs(x)))
    return c


@case
def unnamed_dynamic_dims():
    # dimensions with neither a value nor a name (what shape inference leaves for unknowns)
    x = rand(2, 3)
    c = Case("unnamed_dynamic_dims", opset=13)
    c.input("x", TP.FLOAT, [None, 3], x)
    c.node("Sigmoid", ["x"], ["y"])
    c.output("y", TP.FLOAT, [None, 3], (1 / (1 + np.exp(-x.astype(np.float64)))).astype(F32))
    return c


@case
def sklearn_classifier_with_zipmap():
    # what skl2onnx writes for a classifier: a label tensor and a ZipMap (a sequence of maps) of probabilities
    x = rand(2, 3)
    w = rand(3, 2)
    probs = softmax((x @ w).astype(F32))
    c = Case("sklearn_classifier_with_zipmap", opset=13)
    c.extra_opsets.append(("ai.onnx.ml", 1))
    c.ask_outputs = False
    c.input("float_input", TP.FLOAT, [None, 3], x)
    c.const("coef", w)
    c.node("MatMul", ["float_input", "coef"], ["scores"])
    c.node("Softmax", ["scores"], ["probabilities"], axis=1)
    c.node("ArgMax", ["probabilities"], ["output_label"], axis=1, keepdims=0)
    c.node("ZipMap", ["probabilities"], ["output_probability"], domain="ai.onnx.ml", classlabels_int64s=[0, 1])
    c.output("output_label", TP.INT64, [None], probs.argmax(axis=1).astype(np.int64))
    c.output("probabilities", TP.FLOAT, [None, 2], probs)
    zipmap = onnx.TypeProto()
    zipmap.sequence_type.elem_type.map_type.key_type = TP.INT64
    zipmap.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TP.FLOAT
    c.outputs.append(helper.make_value_info("output_probability", zipmap))
    return c


@case
def label_encoder_unicode_keys():
    text = np.array(["😀", "ünï", "plain", "missing"], dtype=object)
    keys = ["😀", "ünï", "plain"]
    c = Case("label_encoder_unicode_keys", opset=13, doc="strings must reach the model as UTF-8")
    c.extra_opsets.append(("ai.onnx.ml", 2))
    c.input("text", TP.STRING, ["N"], text)
    c.node("LabelEncoder", ["text"], ["id"], domain="ai.onnx.ml", keys_strings=keys, values_int64s=[1, 2, 3],
           default_int64=-1)
    c.output("id", TP.INT64, ["N"], np.array([1, 2, 3, -1], np.int64))
    return c


@case
def label_encoder_unicode_values():
    ids = np.array([2, 0, 1, 9], np.int64)
    values = ["smile 😀", "ünï", "plain"]
    c = Case("label_encoder_unicode_values", opset=13, doc="strings must come back from the model as UTF-8")
    c.extra_opsets.append(("ai.onnx.ml", 2))
    c.input("id", TP.INT64, ["N"], ids)
    c.node("LabelEncoder", ["id"], ["label"], domain="ai.onnx.ml", keys_int64s=[0, 1, 2], values_strings=values,
           default_string="?")
    c.output("label", TP.STRING, ["N"], np.array(["plain", "smile 😀", "ünï", "?"], dtype=object))
    return c


@case
def overridable_initializer_input():
    # IR >= 4: an initializer also listed as an input is a default the client may override or leave out
    x = rand(2, 3)
    bias = rand(3)
    c = Case("overridable_initializer_input", opset=13)
    c.input("x", TP.FLOAT, ["N", 3], x).input("bias", TP.FLOAT, [3], None)
    c.const("bias", bias)
    c.node("Add", ["x", "bias"], ["y"])
    c.output("y", TP.FLOAT, ["N", 3], (x + bias).astype(F32))
    return c


@case
def contrib_op_gelu():
    # ONNX Runtime's own operators (com.microsoft), as its transformer optimizer writes them
    x = np.array([[-1.0, 0.0, 0.5, 2.0]], dtype=F32)
    c = Case("contrib_op_gelu", opset=13)
    c.checked = False  # onnx.checker does not know com.microsoft
    c.extra_opsets.append(("com.microsoft", 1))
    c.ask_outputs = False
    c.input("x", TP.FLOAT, ["batch", 4], x)
    c.node("Gelu", ["x"], ["y"], domain="com.microsoft")
    erf = np.vectorize(math.erf)
    c.output("y", TP.FLOAT, ["batch", 4], (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(F32))
    return c


@case
def if_on_a_scalar_condition():
    # control flow as torch.onnx.export writes it for data-dependent branches
    x = rand(2, 3)
    c = Case("if_on_a_scalar_condition", opset=13)
    c.input("use_relu", TP.BOOL, [], np.array(True)).input("x", TP.FLOAT, ["N", 3], x)
    then_branch = helper.make_graph([helper.make_node("Relu", ["x"], ["then_out"])], "then", [],
                                    [helper.make_tensor_value_info("then_out", TP.FLOAT, ["N", 3])])
    else_branch = helper.make_graph([helper.make_node("Neg", ["x"], ["else_out"])], "else", [],
                                    [helper.make_tensor_value_info("else_out", TP.FLOAT, ["N", 3])])
    c.node("If", ["use_relu"], ["y"], then_branch=then_branch, else_branch=else_branch)
    c.output("y", TP.FLOAT, ["N", 3], relu(x))
    return c


@case
def loop_running_sum():
    # a Loop with a trip count input and a loop-carried value, as scripted PyTorch exports loops
    x = rand(3)
    c = Case("loop_running_sum", opset=13)
    c.input("trip_count", TP.INT64, [], np.array(4, np.int64)).input("x", TP.FLOAT, [3], x)
    body = helper.make_graph(
        [helper.make_node("Add", ["acc_in", "x"], ["acc_out"]), helper.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body",
        [helper.make_tensor_value_info("i", TP.INT64, []), helper.make_tensor_value_info("cond_in", TP.BOOL, []),
         helper.make_tensor_value_info("acc_in", TP.FLOAT, [3])],
        [helper.make_tensor_value_info("cond_out", TP.BOOL, []), helper.make_tensor_value_info("acc_out", TP.FLOAT, [3])])
    c.const("keep_going", np.array(True)).const("zeros", np.zeros(3, F32))
    c.node("Loop", ["trip_count", "keep_going", "zeros"], ["sum"], body=body)
    c.output("sum", TP.FLOAT, [3], (x * 4).astype(F32))
    return c


@case
def batch_larger_than_the_batcher_takes():
    x = rand(40, 2)
    c = Case("batch_larger_than_the_batcher_takes", opset=13)
    c.input("x", TP.FLOAT, ["N", 2], x)
    c.node("Relu", ["x"], ["y"])
    c.output("y", TP.FLOAT, ["N", 2], relu(x))
    return c


# --------------------------------------------------------------------------- writing

def write(c, out):
    model = c.model()
    if c.checked:
        onnx.checker.check_model(model)
    path = os.path.abspath(os.path.join(out, c.name + ".onnx"))
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    wanted = [e["name"] for e in c.expected] if c.wanted is not None else [o.name for o in c.outputs]
    request = {"id": c.name, "inputs": c.request}
    if c.ask_outputs:
        request["outputs"] = [{"name": n} for n in wanted]
    doc = {"name": c.name, "model": path, "skip": None, "request": request, "expected": c.expected}
    with open(os.path.join(out, c.name + ".json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(doc, separators=(",", ":"), allow_nan=False, ensure_ascii=False))


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[0]
    os.makedirs(out, exist_ok=True)
    names = set()
    for make in CASES:
        c = make()
        assert c.name not in names, c.name
        names.add(c.name)
        write(c, out)
    print("built %d models in %s" % (len(names), os.path.abspath(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
