"""Compute-bound classifiers for the runtime benchmark: small input and output, the work in between.

x[N,8] -> x @ W0 [8,WIDTH] -> LAYERS x tanh(h @ W) -> @ Wout [WIDTH,3] -> Softmax.
shared: one W for every layer (a small file; the weights stay in the caches, so batching gains little).
distinct: one W per layer (WIDTH*WIDTH*4 bytes each): weights larger than the caches, so one row streams them all
from memory and a batch of rows reuses each weight while it is loaded: the model where batching pays on a CPU.
Usage: /usr/bin/python3 heavy_model.py OUT.onnx [LAYERS] [WIDTH] [shared|distinct]
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
layers = int(sys.argv[2]) if len(sys.argv) > 2 else 48
width = int(sys.argv[3]) if len(sys.argv) > 3 else 256
distinct = len(sys.argv) > 4 and sys.argv[4] == "distinct"
rng = np.random.default_rng(11)
w0 = (rng.standard_normal((8, width)) / np.sqrt(8)).astype(np.float32)
wout = (rng.standard_normal((width, 3)) / 16).astype(np.float32)
weights = [numpy_helper.from_array(w0, "w0"), numpy_helper.from_array(wout, "wout")]
nodes = [helper.make_node("MatMul", ["input", "w0"], ["h0"])]
for i in range(layers):
    name = f"w{i + 1}" if distinct else "w"
    if distinct or i == 0:
        w = (rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32)
        weights.append(numpy_helper.from_array(w, name))
    nodes.append(helper.make_node("MatMul", [f"h{i}", name], [f"m{i}"]))
    nodes.append(helper.make_node("Tanh", [f"m{i}"], [f"h{i + 1}"]))
nodes.append(helper.make_node("MatMul", [f"h{layers}", "wout"], ["logits"]))
nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1))
graph = helper.make_graph(
    nodes, "heavy",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 8])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3])],
    weights)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="modelpilot-bench")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
