#!/usr/bin/python3
"""Builds the ONNX test models of tests/data/onnx with onnx.helper (no PyTorch needed).

    scripts/make-onnx-models.py OUT_DIR [MODEL ...]

Models (all float graphs with a symbolic "batch" input dimension unless said otherwise):
  tiny_vit        ViT: 32x32 image, patch 8, width 64, 2 blocks, 4 heads, MLP 256, 10 classes
                  (tests/data/vit/tiny-vit.json)
  tiny_cnn        Conv+BN+ReLU, MaxPool, depthwise and grouped Conv, ConvTranspose, GAP, Gemm
  gcn2            two GCN layers relu(A (X W) + b) over a dense normalised adjacency, 100 nodes
  deep_vit_1000   a 33-block ViT of width 32: 1,000 nodes, for the import benchmark
  bad_opset       a one-node graph importing opset 99 of the default domain
  bad_shapes      MatMul of [batch, 8] by a [5, 4] weight: shape inference fails
  bad_arity       a MatMul node with one input (its schema wants two): the fuzz_onnx finding
  below_opset     LayerNormalization (defined from opset 17) in a graph importing opset 13
  custom_nodes    MatMul of two inputs read by a custom-domain 'Softmax' with no output, and a
                  custom-domain 'Constant' with no output: priced, the custom nodes unsupported
  missing_external  a Gemm whose 10 GB weight is declared in external data that does not exist
  unsupported_ops MatMul, Relu, then TopK and LpNormalization, which the importer does not map
  symbolic_image  GlobalAveragePool of a [batch, 3, height, width] image
  odd_dim         Relu of an input whose dimension 'n_items' no run setting binds
  embed_seq       Gather of a [1000, 8] table by [batch, sequence] token ids
  patterns        masked, scaled attention over [batch, 4, 8], q and k from one tied weight,
                  a bias from a Constant node
  resnet18        ResNet-18 at 224x224 (zero fp16 weights, 23 MB: made at test time)
  vit_b16         ViT-B/16 at 224x224 (zero fp16 weights, 173 MB: made at test time)

The small ones are committed; CTest makes resnet18 and vit_b16 in the build tree. The graphs
follow what torch.onnx.export writes for these modules (timm ViT: Conv patch embedding, cls token
through Expand and Concat, LayerNormalization, fused qkv MatMul + Add, Reshape/Transpose/Split,
MatMul-Div-Softmax-MatMul attention, erf GELU; torchvision ResNet: Conv, BatchNormalization,
Relu, MaxPool, Add, GlobalAveragePool, Flatten, Gemm).
"""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class Graph:
    def __init__(self, dtype=np.float32, zeros=False, seed=0):
        self.nodes, self.inits, self.count = [], [], 0
        self.dtype, self.zeros = dtype, zeros
        self.rng = np.random.default_rng(seed)

    def name(self, base):
        self.count += 1
        return f"{base}_{self.count}"

    def weight(self, base, shape):
        name = self.name(base)
        if self.zeros:
            data = np.zeros(shape, dtype=self.dtype)
        else:
            data = (self.rng.standard_normal(shape) * 0.02).astype(self.dtype)
        self.inits.append(numpy_helper.from_array(data, name))
        return name

    def const(self, base, values, dtype=np.int64):
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.array(values, dtype=dtype), name))
        return name

    def scalar(self, base, value):
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.array(value, dtype=self.dtype), name))
        return name

    def op(self, op_type, inputs, outputs=1, **attrs):
        names = [self.name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, name=self.name(op_type), **attrs))
        return names[0] if outputs == 1 else names

    def linear(self, x, d_in, d_out):
        y = self.op("MatMul", [x, self.weight("w", [d_in, d_out])])
        return self.op("Add", [y, self.weight("b", [d_out])])

    def model(self, name, inputs, outputs, opset=OPSET):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        model.ir_version = 8
        return model


def elem(dtype):
    return TensorProto.FLOAT16 if dtype == np.float16 else TensorProto.FLOAT


def gelu(g, x):
    """torch.nn.GELU() as torch.onnx exports it at opset 17: x * 0.5 * (1 + erf(x / sqrt 2))."""
    e = g.op("Erf", [g.op("Div", [x, g.scalar("sqrt2", math.sqrt(2.0))])])
    y = g.op("Mul", [x, g.op("Add", [e, g.scalar("one", 1.0)])])
    return g.op("Mul", [y, g.scalar("half", 0.5)])


def layer_norm(g, x, d):
    return g.op("LayerNormalization", [x, g.weight("ln_w", [d]), g.weight("ln_b", [d])], axis=-1,
                epsilon=1e-6)


def vit_block(g, x, tokens, d, heads, mlp):
    hd = d // heads
    h = layer_norm(g, x, d)
    qkv = g.linear(h, d, 3 * d)
    qkv = g.op("Reshape", [qkv, g.const("shape", [0, tokens, 3, heads, hd])])
    qkv = g.op("Transpose", [qkv], perm=[2, 0, 3, 1, 4])
    q, k, v = g.op("Split", [qkv, g.const("split", [1, 1, 1])], outputs=3, axis=0)
    q, k, v = (g.op("Squeeze", [t, g.const("axes", [0])]) for t in (q, k, v))
    scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
    scores = g.op("Div", [scores, g.scalar("scale", math.sqrt(hd))])
    attn = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
    attn = g.op("Reshape", [g.op("Transpose", [attn], perm=[0, 2, 1, 3]),
                            g.const("shape", [0, tokens, d])])
    x = g.op("Add", [x, g.linear(attn, d, d)])
    h = gelu(g, g.linear(layer_norm(g, x, d), d, mlp))
    return g.op("Add", [x, g.linear(h, mlp, d)])


def vit(name, image, patch, d, depth, heads, mlp, classes, dtype=np.float32, zeros=False):
    g = Graph(dtype, zeros)
    n = (image // patch) ** 2
    x = g.op("Conv", ["pixel_values", g.weight("patch_w", [d, 3, patch, patch]),
                      g.weight("patch_b", [d])], kernel_shape=[patch, patch],
             strides=[patch, patch])
    x = g.op("Transpose", [g.op("Reshape", [x, g.const("shape", [0, d, -1])])], perm=[0, 2, 1])
    batch = g.op("Gather", [g.op("Shape", ["pixel_values"]), g.const("index", [0])], axis=0)
    cls_shape = g.op("Concat", [batch, g.const("shape", [1, d])], axis=0)
    cls = g.op("Expand", [g.weight("cls_token", [1, 1, d]), cls_shape])
    x = g.op("Concat", [cls, x], axis=1)
    x = g.op("Add", [x, g.weight("pos_embed", [1, n + 1, d])])
    for _ in range(depth):
        x = vit_block(g, x, n + 1, d, heads, mlp)
    x = g.op("Gather", [layer_norm(g, x, d), g.const("index", 0)], axis=1)
    g.nodes.append(helper.make_node("Gemm", [x, g.weight("head_w", [d, classes]),
                                             g.weight("head_b", [classes])], ["logits"],
                                    name="head"))
    t = elem(dtype)
    return g.model(name, [helper.make_tensor_value_info("pixel_values", t,
                                                        ["batch", 3, image, image])],
                   [helper.make_tensor_value_info("logits", t, ["batch", classes])])


def conv(g, x, c_in, c_out, k, stride=1, pad=0, group=1, bias=False):
    inputs = [x, g.weight("conv_w", [c_out, c_in // group, k, k])]
    if bias:
        inputs.append(g.weight("conv_b", [c_out]))
    return g.op("Conv", inputs, kernel_shape=[k, k], strides=[stride, stride],
                pads=[pad] * 4, group=group)


def bn(g, x, c):
    return g.op("BatchNormalization", [x] + [g.weight(n, [c]) for n in ("gamma", "beta",
                                                                         "mean", "var")])


def basic_block(g, x, c_in, c_out, stride):
    y = g.op("Relu", [bn(g, conv(g, x, c_in, c_out, 3, stride, 1), c_out)])
    y = bn(g, conv(g, y, c_out, c_out, 3, 1, 1), c_out)
    if stride != 1 or c_in != c_out:
        x = bn(g, conv(g, x, c_in, c_out, 1, stride), c_out)
    return g.op("Relu", [g.op("Add", [y, x])])


def resnet18(zeros=True):
    g = Graph(np.float16, zeros)
    x = g.op("Relu", [bn(g, conv(g, "input", 3, 64, 7, 2, 3), 64)])
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    c_in = 64
    for c_out, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        x = basic_block(g, x, c_in, c_out, stride)
        x = basic_block(g, x, c_out, c_out, 1)
        c_in = c_out
    x = g.op("Flatten", [g.op("GlobalAveragePool", [x])], axis=1)
    g.nodes.append(helper.make_node("Gemm", [x, g.weight("fc_w", [1000, 512]),
                                             g.weight("fc_b", [1000])], ["logits"], transB=1,
                                    name="fc"))
    t = TensorProto.FLOAT16
    return g.model("resnet18", [helper.make_tensor_value_info("input", t, ["batch", 3, 224, 224])],
                   [helper.make_tensor_value_info("logits", t, ["batch", 1000])])


def tiny_cnn():
    g = Graph()
    x = g.op("Relu", [bn(g, conv(g, "image", 3, 16, 3, 1, 1), 16)])       # [B,16,32,32]
    x = g.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])         # [B,16,16,16]
    x = conv(g, x, 16, 16, 3, 1, 1, group=16, bias=True)                  # depthwise
    x = conv(g, x, 16, 32, 1, group=2)                                    # grouped 1x1
    x = g.op("ConvTranspose", [x, g.weight("up_w", [32, 8, 2, 2])], kernel_shape=[2, 2],
             strides=[2, 2])                                              # [B,8,32,32]
    x = g.op("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])     # [B,8,16,16]
    x = g.op("Flatten", [g.op("GlobalAveragePool", [x])], axis=1)         # [B,8]
    g.nodes.append(helper.make_node("Gemm", [x, g.weight("fc_w", [8, 10]),
                                             g.weight("fc_b", [10])], ["logits"], name="fc"))
    return g.model("tiny_cnn",
                   [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 32, 32])],
                   [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])])


def gcn2():
    g = Graph()
    nodes, features, hidden, classes = 100, 16, 32, 7
    h = "features"
    for d_in, d_out, last in ((features, hidden, False), (hidden, classes, True)):
        xw = g.op("MatMul", [h, g.weight("w", [d_in, d_out])])
        h = g.op("Add", [g.op("MatMul", ["adjacency", xw]), g.weight("b", [d_out])])
        h = g.op("Softmax", [h], axis=-1) if last else g.op("Relu", [h])
    f = TensorProto.FLOAT
    g.nodes[-1].output[0] = "probabilities"
    return g.model("gcn2", [helper.make_tensor_value_info("features", f, [nodes, features]),
                            helper.make_tensor_value_info("adjacency", f, [nodes, nodes])],
                   [helper.make_tensor_value_info("probabilities", f, [nodes, classes])])


def bad_opset():
    g = Graph()
    g.nodes.append(helper.make_node("Relu", ["x"], ["y"], name="relu"))
    f = TensorProto.FLOAT
    return g.model("bad_opset", [helper.make_tensor_value_info("x", f, [1, 4])],
                   [helper.make_tensor_value_info("y", f, [1, 4])], opset=99)


def bad_shapes():
    g = Graph()
    g.nodes.append(helper.make_node("MatMul", ["x", g.weight("w", [5, 4])], ["y"], name="fc"))
    f = TensorProto.FLOAT
    return g.model("bad_shapes", [helper.make_tensor_value_info("x", f, ["batch", 8])],
                   [helper.make_tensor_value_info("y", f, ["batch", 4])])


def bad_arity():
    g = Graph()
    g.nodes.append(helper.make_node("MatMul", ["x"], ["y"], name="fc"))
    f = TensorProto.FLOAT
    return g.model("bad_arity", [helper.make_tensor_value_info("x", f, ["batch", 8])],
                   [helper.make_tensor_value_info("y", f, ["batch", 8])])


def below_opset():
    g = Graph()
    g.nodes.append(helper.make_node("LayerNormalization", ["x", g.weight("gamma", [8])], ["y"],
                                    name="norm"))
    f = TensorProto.FLOAT
    return g.model("below_opset", [helper.make_tensor_value_info("x", f, ["batch", 8])],
                   [helper.make_tensor_value_info("y", f, ["batch", 8])], opset=13)


def custom_nodes():
    g = Graph()
    g.nodes.append(helper.make_node("MatMul", ["a", "b"], ["scores"], name="qk"))
    g.nodes.append(helper.make_node("Softmax", ["scores"], [], name="custom_softmax",
                                    domain="com.example"))
    g.nodes.append(helper.make_node("Constant", [], [], name="custom_constant",
                                    domain="com.example"))
    g.nodes.append(helper.make_node("Relu", ["a"], ["y"], name="relu"))
    f = TensorProto.FLOAT
    model = g.model("custom_nodes", [helper.make_tensor_value_info("a", f, ["batch", 4, 8]),
                                     helper.make_tensor_value_info("b", f, ["batch", 8, 4])],
                    [helper.make_tensor_value_info("y", f, ["batch", 4, 8])])
    model.opset_import.append(helper.make_opsetid("com.example", 1))
    return model


def missing_external():
    g = Graph()
    weight = TensorProto(name="huge_w", data_type=TensorProto.FLOAT, dims=[50000, 50000])
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "missing_weights.bin"), ("offset", "0"),
                       ("length", str(50000 * 50000 * 4))):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    g.inits.append(weight)
    g.nodes.append(helper.make_node("Gemm", ["x", "huge_w"], ["y"], name="huge_fc"))
    f = TensorProto.FLOAT
    return g.model("missing_external", [helper.make_tensor_value_info("x", f, ["batch", 50000])],
                   [helper.make_tensor_value_info("y", f, ["batch", 50000])])


def unsupported_ops():
    g = Graph()
    h = g.op("Relu", [g.op("MatMul", ["x", g.weight("w", [16, 16])])])
    values = g.op("TopK", [h, g.const("k", [4])], outputs=2, axis=-1)[0]
    g.nodes.append(helper.make_node("LpNormalization", [values], ["y"], name="lp_norm", axis=-1))
    f = TensorProto.FLOAT
    return g.model("unsupported_ops", [helper.make_tensor_value_info("x", f, ["batch", 16])],
                   [helper.make_tensor_value_info("y", f, ["batch", 4])])


def symbolic_image():
    g = Graph()
    g.nodes.append(helper.make_node("GlobalAveragePool", ["image"], ["y"], name="gap"))
    f = TensorProto.FLOAT
    return g.model("symbolic_image",
                   [helper.make_tensor_value_info("image", f, ["batch", 3, "height", "width"])],
                   [helper.make_tensor_value_info("y", f, ["batch", 3, 1, 1])])


def odd_dim():
    g = Graph()
    g.nodes.append(helper.make_node("Relu", ["x"], ["y"], name="relu"))
    f = TensorProto.FLOAT
    return g.model("odd_dim", [helper.make_tensor_value_info("x", f, ["n_items", 4])],
                   [helper.make_tensor_value_info("y", f, ["n_items", 4])])


def embed_seq():
    g = Graph()
    g.nodes.append(helper.make_node("Gather", [g.weight("table", [1000, 8]), "input_ids"],
                                    ["hidden"], name="embed_tokens"))
    return g.model("embed_seq", [helper.make_tensor_value_info("input_ids", TensorProto.INT64,
                                                               ["batch", "sequence"])],
                   [helper.make_tensor_value_info("hidden", TensorProto.FLOAT,
                                                  ["batch", "sequence", 8])])


def patterns():
    """Masked, scaled attention on [batch, 4, 8] with q and k from one tied weight and a bias
    from a Constant node."""
    g = Graph()
    w = g.weight("w_qk", [8, 8])
    q, k = g.op("MatMul", ["x", w]), g.op("MatMul", ["x", w])
    scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 2, 1])])
    scores = g.op("Add", [g.op("Mul", [scores, g.scalar("scale", 0.35)]),
                          g.weight("mask", [4, 4])])
    out = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), "x"])
    bias = g.op("Constant", [], value=numpy_helper.from_array(np.ones(8, np.float32), "bias"))
    g.nodes.append(helper.make_node("Add", [out, bias], ["y"], name="bias_add"))
    f = TensorProto.FLOAT
    return g.model("patterns", [helper.make_tensor_value_info("x", f, ["batch", 4, 8])],
                   [helper.make_tensor_value_info("y", f, ["batch", 4, 8])])


MODELS = {
    "tiny_vit": lambda: vit("tiny_vit", 32, 8, 64, 2, 4, 256, 10),
    "tiny_cnn": tiny_cnn,
    "gcn2": gcn2,
    "deep_vit_1000": lambda: vit("deep_vit_1000", 32, 8, 32, 33, 2, 64, 10, np.float16),
    "bad_opset": bad_opset,
    "bad_shapes": bad_shapes,
    "bad_arity": bad_arity,
    "below_opset": below_opset,
    "custom_nodes": custom_nodes,
    "missing_external": missing_external,
    "unsupported_ops": unsupported_ops,
    "symbolic_image": symbolic_image,
    "odd_dim": odd_dim,
    "embed_seq": embed_seq,
    "patterns": patterns,
    "resnet18": resnet18,
    "vit_b16": lambda: vit("vit_b16", 224, 16, 768, 12, 12, 3072, 1000, np.float16, zeros=True),
}
COMMITTED = ["tiny_vit", "tiny_cnn", "gcn2", "deep_vit_1000", "bad_opset", "bad_shapes",
             "bad_arity", "below_opset", "custom_nodes", "missing_external", "unsupported_ops",
             "symbolic_image", "odd_dim", "embed_seq", "patterns"]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in sys.argv[2:] or COMMITTED:
        if name not in MODELS:
            sys.exit(f"unknown model {name}; expected one of {', '.join(MODELS)}")
        model = MODELS[name]()
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(model.SerializeToString())
        print(f"{name}: {len(model.graph.node)} nodes")


if __name__ == "__main__":
    main()
