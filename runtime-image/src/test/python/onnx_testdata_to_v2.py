#!/usr/bin/python3
"""Convert ONNX backend node tests into Open Inference Protocol v2 conformance cases.

Usage (needs the Debian python3-onnx, i.e. /usr/bin/python3, not a pyenv Python):

    /usr/bin/python3 onnx_testdata_to_v2.py [SRC_DIR] OUT_DIR [--verbose]

SRC_DIR defaults to /usr/share/libonnx-testdata/data/node. For every test directory
SRC_DIR/<test_name>/ (model.onnx + test_data_set_0/{input,output}_<i>.pb) this writes
OUT_DIR/<test_name>.json (compact, one line):

    {"name": "<test_name>", "model": "<absolute path of model.onnx>",
     "skip": null | "<reason>",
     "request": {"id": "<test_name>",
                 "inputs": [{"name", "datatype", "shape", "data"}, ...],
                 "outputs": [{"name"}, ...]},
     "expected": [{"name", "datatype", "shape", "data"}, ...]}

For skipped tests "request" and "expected" are null; only "skip" explains why.

Conventions:
  * Names come from the model graph: graph.input minus initializers (in order) are
    matched positionally to input_0.pb, input_1.pb, ...; graph.output to output_<i>.pb.
    The TensorProto.name inside a .pb is ignored (it is often empty).
  * datatype is the v2 name (BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64, BYTES, BF16).
  * data is the flattened row-major tensor: JSON numbers (FP16/BF16/FP32 given as the
    exact value of the float, printed as the shortest repr of the equivalent double),
    true/false for BOOL, UTF-8 strings for BYTES. Shape [] means a scalar (1 value);
    zero-element shapes are kept with data [].
  * Non-finite floats in inputs skip the test ("non-finite values in reference data");
    in expected outputs they are written as the strings "NaN", "Infinity", "-Infinity".

At the end a summary (total, converted, skipped per reason category) is printed to
stdout; --verbose also lists the skipped tests with their full reasons.
"""

import json
import math
import os
import re
import sys
import time
from collections import Counter, defaultdict

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import TensorProto, numpy_helper

DEFAULT_SRC = "/usr/share/libonnx-testdata/data/node"

# ONNX TensorProto.DataType -> Open Inference Protocol v2 datatype name.
V2_DATATYPE = {
    TensorProto.BOOL: "BOOL",
    TensorProto.UINT8: "UINT8",
    TensorProto.UINT16: "UINT16",
    TensorProto.UINT32: "UINT32",
    TensorProto.UINT64: "UINT64",
    TensorProto.INT8: "INT8",
    TensorProto.INT16: "INT16",
    TensorProto.INT32: "INT32",
    TensorProto.INT64: "INT64",
    TensorProto.FLOAT16: "FP16",
    TensorProto.FLOAT: "FP32",
    TensorProto.DOUBLE: "FP64",
    TensorProto.STRING: "BYTES",
    TensorProto.BFLOAT16: "BF16",
}
FLOAT_TYPES = {TensorProto.FLOAT16, TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.BFLOAT16}

# Names of element types newer than the installed onnx knows about (for reasons only).
_EXTRA_TYPE_NAMES = {
    17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ", 19: "FLOAT8E5M2", 20: "FLOAT8E5M2FNUZ",
    21: "UINT4", 22: "INT4", 23: "FLOAT4E2M1",
}

# Notable data quirks worked around: note -> set of test names (printed in the summary).
NOTES = defaultdict(set)

PB_RE = re.compile(r"^(input|output)_(\d+)\.pb$")

# Reason categories (the summary counts by these; the full reason adds details after ": ").
R_NO_MODEL = "model.onnx missing or unreadable"
R_IR_OPSET = "model IR version or opset unreadable"
R_NO_DATA = "no test_data_set_0"
R_NON_TENSOR = "graph input/output is not a tensor"
R_DTYPE = "unsupported datatype (no V2 name)"
R_COUNT = "graph inputs/outputs do not match the number of .pb files"
R_BAD_INPUT_PB = "input .pb is not a TensorProto"
R_BAD_OUTPUT_PB = "output .pb is not a TensorProto"
R_PB_MISMATCH = ".pb tensor does not match graph datatype"
R_UTF8 = "string data is not valid UTF-8"
R_NONFINITE = "non-finite values in reference data"


class Skip(Exception):
    def __init__(self, category, detail=None):
        super().__init__(category)
        self.category = category
        self.reason = category if not detail else "%s: %s" % (category, detail)


def type_name(elem_type):
    try:
        return TensorProto.DataType.Name(elem_type)
    except ValueError:
        return _EXTRA_TYPE_NAMES.get(elem_type, "elem_type %d" % elem_type)


def check_graph_value(role, vi):
    """Skip unless the graph value is a tensor with a V2-representable element type."""
    if not vi.HasField("type"):
        raise Skip(R_NON_TENSOR, "%s '%s' has no type" % (role, vi.name))
    kind = vi.type.WhichOneof("value")
    if kind != "tensor_type":
        desc = {
            "sequence_type": "a sequence",
            "map_type": "a map",
            "optional_type": "an optional",
            "sparse_tensor_type": "a sparse tensor",
            "opaque_type": "opaque",
            None: "of a type unknown to onnx %s" % onnx.__version__,
        }.get(kind, kind)
        raise Skip(R_NON_TENSOR, "%s '%s' is %s" % (role, vi.name, desc))
    elem = vi.type.tensor_type.elem_type
    if elem == TensorProto.UNDEFINED:
        # Also what proto2 reports for an enum value newer than the installed onnx.
        raise Skip(R_DTYPE, "%s '%s' has undefined/unknown element type" % (role, vi.name))
    if elem not in V2_DATATYPE:
        raise Skip(R_DTYPE, "%s '%s' is %s" % (role, vi.name, type_name(elem)))
    return elem


def list_pbs(data_dir):
    found = {"input": {}, "output": {}}
    for fn in os.listdir(data_dir):
        m = PB_RE.match(fn)
        if m:
            found[m.group(1)][int(m.group(2))] = os.path.join(data_dir, fn)
    result = {}
    for role, by_index in found.items():
        n = len(by_index)
        if sorted(by_index) != list(range(n)):
            raise Skip(R_COUNT, "%s_*.pb indices are not contiguous: %s" % (role, sorted(by_index)))
        result[role] = [by_index[i] for i in range(n)]
    return result["input"], result["output"]


def load_tensor(path, bad_category):
    t = TensorProto()
    try:
        with open(path, "rb") as f:
            t.ParseFromString(f.read())
    except (DecodeError, RuntimeError, ValueError) as e:
        raise Skip(bad_category, "%s: %s" % (os.path.basename(path), e))
    if t.data_type == TensorProto.UNDEFINED:
        raise Skip(bad_category, "%s has no/unknown data_type" % os.path.basename(path))
    if t.HasField("segment") or t.data_location == TensorProto.EXTERNAL:
        raise Skip(bad_category, "%s uses segments/external data" % os.path.basename(path))
    return t


def tensor_values(t, pb_name, is_input):
    """Flattened JSON-ready values of a TensorProto (element type already checked)."""
    shape = [int(d) for d in t.dims]
    count = 1
    for d in shape:
        count *= d
    bad = R_BAD_INPUT_PB if is_input else R_BAD_OUTPUT_PB
    if t.data_type == TensorProto.STRING:
        raw = list(t.string_data)
        if len(raw) != count:
            raise Skip(bad, "%s holds %d strings for shape %s" % (pb_name, len(raw), shape))
        try:
            return shape, [s.decode("utf-8") for s in raw]
        except UnicodeDecodeError:
            raise Skip(R_UTF8, pb_name)
    try:
        arr = numpy_helper.to_array(t)
    except (ValueError, TypeError, KeyError) as e:
        raise Skip(bad, "%s: %s" % (pb_name, e))
    if arr.size != count:
        raise Skip(bad, "%s holds %d values for shape %s" % (pb_name, arr.size, shape))
    flat = arr.reshape(-1)
    if t.data_type in FLOAT_TYPES:
        if t.data_type == TensorProto.FLOAT16:
            flat = flat.astype(np.float64)  # exact; tolist() then yields Python floats
        if not np.isfinite(flat).all():
            if is_input:
                raise Skip(R_NONFINITE)
            return shape, [v if math.isfinite(v) else ("NaN" if v != v else ("Infinity" if v > 0 else "-Infinity"))
                           for v in flat.tolist()]
    return shape, flat.tolist()


def convert(test_dir, name):
    model_path = os.path.abspath(os.path.join(test_dir, "model.onnx"))
    doc = {"name": name, "model": model_path, "skip": None, "request": None, "expected": None}
    try:
        if not os.path.isfile(model_path):
            raise Skip(R_NO_MODEL, "no model.onnx")
        model = onnx.ModelProto()
        try:
            with open(model_path, "rb") as f:
                model.ParseFromString(f.read())
        except (DecodeError, RuntimeError, ValueError) as e:
            raise Skip(R_NO_MODEL, str(e))
        if not model.HasField("ir_version") or model.ir_version <= 0:
            raise Skip(R_IR_OPSET, "ir_version missing")
        if not any(op.version > 0 for op in model.opset_import):
            raise Skip(R_IR_OPSET, "no opset_import")
        data_dir = os.path.join(test_dir, "test_data_set_0")
        if not os.path.isdir(data_dir):
            raise Skip(R_NO_DATA)

        g = model.graph
        init_names = {i.name for i in g.initializer} | {s.values.name for s in g.sparse_initializer}
        g_inputs = [vi for vi in g.input if vi.name not in init_names]
        g_outputs = list(g.output)
        in_types = [check_graph_value("input", vi) for vi in g_inputs]
        out_types = [check_graph_value("output", vi) for vi in g_outputs]

        in_pbs, out_pbs = list_pbs(data_dir)
        if len(in_pbs) != len(g_inputs) or len(out_pbs) != len(g_outputs):
            raise Skip(R_COUNT, "graph has %d inputs/%d outputs, test_data_set_0 has %d input_*.pb/%d output_*.pb"
                       % (len(g_inputs), len(g_outputs), len(in_pbs), len(out_pbs)))

        def convert_side(values, types, pbs, is_input):
            entries = []
            for vi, elem, path in zip(values, types, pbs):
                pb_name = os.path.basename(path)
                t = load_tensor(path, R_BAD_INPUT_PB if is_input else R_BAD_OUTPUT_PB)
                if elem == TensorProto.BFLOAT16 and t.data_type == TensorProto.UINT16:
                    # onnx's test generator has no numpy bfloat16: it stores bf16 tensors as
                    # UINT16 tensors holding the raw bf16 bit patterns. Reinterpret them.
                    bf16 = TensorProto(name=t.name, dims=t.dims, data_type=TensorProto.BFLOAT16)
                    bf16.int32_data.extend(numpy_helper.to_array(t).reshape(-1).tolist())
                    t = bf16
                    NOTES["bf16 tensors stored as UINT16 bit patterns (reinterpreted)"].add(name)
                if t.data_type != elem:
                    raise Skip(R_PB_MISMATCH, "%s is %s but graph %s '%s' is %s"
                               % (pb_name, type_name(t.data_type), "input" if is_input else "output",
                                  vi.name, type_name(elem)))
                shape, data = tensor_values(t, pb_name, is_input)
                entries.append({"name": vi.name, "datatype": V2_DATATYPE[elem], "shape": shape, "data": data})
            return entries

        inputs = convert_side(g_inputs, in_types, in_pbs, True)
        expected = convert_side(g_outputs, out_types, out_pbs, False)
        doc["request"] = {"id": name, "inputs": inputs, "outputs": [{"name": vi.name} for vi in g_outputs]}
        doc["expected"] = expected
        return doc, None
    except Skip as s:
        doc["skip"] = s.reason
        return doc, s.category


def main(argv):
    args = [a for a in argv if not a.startswith("-")]
    verbose = "--verbose" in argv or "-v" in argv
    if len(args) == 1:
        src, out = DEFAULT_SRC, args[0]
    elif len(args) == 2:
        src, out = args
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if not os.path.isdir(src):
        print("SRC_DIR %s is not a directory" % src, file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)

    start = time.monotonic()
    by_category = Counter()
    skipped = defaultdict(list)
    converted = 0
    names = sorted(n for n in os.listdir(src) if os.path.isdir(os.path.join(src, n)))
    for name in names:
        doc, category = convert(os.path.join(src, name), name)
        text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
        with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as f:
            f.write(text)
        if category is None:
            converted += 1
        else:
            by_category[category] += 1
            skipped[category].append((name, doc["skip"]))
    elapsed = time.monotonic() - start

    print("source:    %s" % os.path.abspath(src))
    print("output:    %s" % os.path.abspath(out))
    print("total:     %d" % len(names))
    print("converted: %d" % converted)
    print("skipped:   %d" % sum(by_category.values()))
    for category, n in by_category.most_common():
        print("  %4d  %s" % (n, category))
        if verbose:
            for test, reason in skipped[category]:
                print("          %s  (%s)" % (test, reason))
    for note, tests in sorted(NOTES.items()):
        print("note:      %s: %s" % (note, ", ".join(sorted(tests))))
    print("time:      %.1f s" % elapsed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
