"""A compute-bound classifier for latency benchmarks: small input and output, a few ms of work.

x[N,8] -> x @ W0 [8,256] -> LAYERS x tanh(h @ W) with one shared W [256,256] -> @ Wout [256,3] -> Softmax.
One shared initializer keeps the file small (~260 KB); the per-row cost grows with LAYERS.
Usage: /usr/bin/python3 heavy_model.py OUT.onnx [LAYERS]
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
layers = int(sys.argv[2]) if len(sys.argv) > 2 else 48
rng = np.random.default_rng(11)
w0 = (rng.standard_normal((8, 256)) / np.sqrt(8)).astype(np.float32)
w = (rng.standard_normal((256, 256)) / np.sqrt(256)).astype(np.float32)
wout = (rng.standard_normal((256, 3)) / 16).astype(np.float32)
nodes = [helper.make_node("MatMul", ["input", "w0"], ["h0"])]
for i in range(layers):
    nodes.append(helper.make_node("MatMul", [f"h{i}", "w"], [f"m{i}"]))
    nodes.append(helper.make_node("Tanh", [f"m{i}"], [f"h{i + 1}"]))
nodes.append(helper.make_node("MatMul", [f"h{layers}", "wout"], ["logits"]))
nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1))
graph = helper.make_graph(
    nodes, "heavy",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 8])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3])],
    [numpy_helper.from_array(w0, "w0"), numpy_helper.from_array(w, "w"), numpy_helper.from_array(wout, "wout")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="modelpilot-bench")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
