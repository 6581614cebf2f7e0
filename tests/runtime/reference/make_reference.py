#!/usr/bin/python3
"""Reference outputs for GraphModule's whole-network parity tests.

An independent Keras interpreter written with numpy (float64, Keras's NHWC layout, TensorFlow's
padding rules), run on:
  - the Keras Applications topologies (model_config JSON written by Keras, from
    ../shared/fixtures/keras-configs), at small or odd input sizes, with weights given by a formula
    that the C++ test reproduces bit for bit (no weight file needs committing);
  - the real Keras full-model fixtures (../shared/fixtures/keras/*.h5) with their own weights.

It writes one JSON file per case into tests/runtime/reference/networks/: the model options, the
weight / input formula parameters and the expected outputs of a few named layers (float32,
base64 little-endian). The tests read those files; they never run Python.

Run: /usr/bin/python3 tests/runtime/reference/make_reference.py [case ...]
Needs numpy and h5py (Debian's python3-numpy, python3-h5py). Graft is not used.
"""
import base64
import io
import json
import math
import os
import re
import sys
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
FIXTURES = os.path.abspath(os.path.join(SOURCE, "..", "shared", "fixtures"))
OUT = os.path.join(HERE, "networks")

# ----------------------------------------------------------------------------------------------
# The formula (mirrored in tests/runtime/formula_weights.cpp): a hash of (layer name, weight
# index, element index) mapped to a uniform value in [lo, hi).
M32 = 0xFFFFFFFF


def fnv1a(text):
    h = 2166136261
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 16777619) & M32
    return h


def fmix32(x):
    x = x ^ (x >> np.uint64(16))
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(M32)
    x = x ^ (x >> np.uint64(13))
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(M32)
    return x ^ (x >> np.uint64(16))


def uniform01(name, index, count):
    seed = (fnv1a(name) + (index + 1) * 0x9E3779B9) & M32
    i = np.arange(count, dtype=np.uint64)
    x = (np.uint64(seed) + i * np.uint64(0x85EBCA6B)) & np.uint64(M32)
    return (fmix32(x) >> np.uint64(8)).astype(np.float64) * (1.0 / 16777216.0)


def formula_tensor(name, index, shape, lo, hi):
    u = uniform01(name, index, int(np.prod(shape)))
    return (lo + (hi - lo) * u).astype(np.float32).reshape(shape)


def weight_range(weight, shape, params):
    """[lo, hi) of one weight: He-uniform kernels (variance gain / fan_in), the rest fixed."""
    if weight in ("kernel", "pointwise_kernel"):
        fan_in = int(np.prod(shape[:-1]))
    elif weight == "depthwise_kernel":
        fan_in = int(shape[0] * shape[1])
    else:
        return params[weight]
    limit = math.sqrt(3.0 * params["kernel_gain"] / fan_in)
    return [-limit, limit]


DEFAULT_PARAMS = {
    "kernel_gain": 2.0,
    "bias": [-0.1, 0.1],
    "gamma": [0.9, 1.1],
    "beta": [-0.1, 0.1],
    "moving_mean": [-0.1, 0.1],
    "moving_variance": [0.8, 1.2],
}

# ----------------------------------------------------------------------------------------------
# Keras semantics, NHWC, float64.


def pair(v):
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def same_padding(n, k, s, d=1):
    """TensorFlow 'SAME': output ceil(n/s); the odd padding cell goes after (bottom/right)."""
    eff = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def pad_spatial(x, kh, kw, sh, sw, dh, dw, padding, value):
    if padding == "valid":
        return x
    assert padding == "same", padding
    t, b = same_padding(x.shape[1], kh, sh, dh)
    l, r = same_padding(x.shape[2], kw, sw, dw)
    return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=value)


def windows(x, kh, kw, sh, sw, dh, dw):
    """(N, OH, OW, C, kh, kw) views of the (already padded) input."""
    eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    v = np.lib.stride_tricks.sliding_window_view(x, (eh, ew), axis=(1, 2))
    return v[:, ::sh, ::sw, :, ::dh, ::dw]


def conv2d(x, kernel, bias, strides, padding, dilation, groups=1):
    kh, kw, cin_g, cout = kernel.shape
    sh, sw = strides
    dh, dw = dilation
    xp = pad_spatial(x, kh, kw, sh, sw, dh, dw, padding, 0.0)
    w = windows(xp, kh, kw, sh, sw, dh, dw)
    outs = []
    og = cout // groups
    if groups > 1 and cin_g == 1 and og == 1:  # one filter per channel (ConvNeXt's 7x7)
        y = np.einsum("nhwcij,ijc->nhwc", w, kernel[:, :, 0, :].astype(np.float64), optimize=True)
        return y + bias if bias is not None else y
    for g in range(groups):
        wg = w[:, :, :, g * cin_g:(g + 1) * cin_g]
        kg = kernel[:, :, :, g * og:(g + 1) * og].astype(np.float64)
        outs.append(np.einsum("nhwcij,ijco->nhwo", wg, kg, optimize=True))
    y = np.concatenate(outs, axis=3) if groups > 1 else outs[0]
    return y + bias if bias is not None else y


def depthwise(x, kernel, strides, padding, dilation):
    kh, kw, cin, mult = kernel.shape
    xp = pad_spatial(x, kh, kw, strides[0], strides[1], dilation[0], dilation[1], padding, 0.0)
    w = windows(xp, kh, kw, strides[0], strides[1], dilation[0], dilation[1])
    y = np.einsum("nhwcij,ijcm->nhwcm", w, kernel.astype(np.float64), optimize=True)
    return y.reshape(y.shape[0], y.shape[1], y.shape[2], cin * mult)  # channel c * mult + m


def pool(x, size, strides, padding, reduce):
    kh, kw = size
    xp = pad_spatial(x, kh, kw, strides[0], strides[1], 1, 1, padding, np.nan)
    w = windows(xp, kh, kw, strides[0], strides[1], 1, 1)
    return reduce(w, axis=(4, 5))  # nan-aware: padding is never a candidate nor counted


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "relu6": lambda x: np.clip(x, 0.0, 6.0),
    "sigmoid": sigmoid,
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0),
    "tanh": np.tanh,
    "softmax": softmax,
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "swish": lambda x: x * sigmoid(x),
    "silu": lambda x: x * sigmoid(x),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "exponential": np.exp,
    "hard_silu": lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,  # Keras 3 (alias hard_swish)
    # Keras's gelu(approximate=False): x / 2 (1 + erf(x / sqrt 2)) (no scipy here: math.erf).
    "gelu": lambda x: 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0))),
}


def keras_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    y = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    return y - negative_slope * np.maximum(threshold - x, 0.0)


def get(config, *keys, default=None):
    """First present key: Keras 2 name first, then Keras 1's."""
    for k in keys:
        if k in config:
            return config[k]
    return default


def weight_names(cls, config):
    if cls in ("Conv2D", "Convolution2D", "Dense"):
        return ["kernel"] + (["bias"] if get(config, "use_bias", "bias", default=True) else [])
    if cls == "DepthwiseConv2D":
        return ["depthwise_kernel"] + (["bias"] if get(config, "use_bias", "bias", default=True) else [])
    if cls in ("SeparableConv2D", "SeparableConvolution2D"):
        return ["depthwise_kernel", "pointwise_kernel"] + (
            ["bias"] if get(config, "use_bias", "bias", default=True) else [])
    if cls == "LayerNormalization":
        return [n for n, on in (("gamma", config.get("scale", True)),
                                ("beta", config.get("center", True))) if on]
    if cls == "LayerScale":
        return ["gamma"]
    if cls == "Normalization":  # adapted statistics (EfficientNet's stem) are weights
        return [] if config.get("mean") is not None else ["mean", "variance", "count"]
    if cls == "BatchNormalization":
        names = []
        if config.get("scale", True):
            names.append("gamma")
        if config.get("center", True):
            names.append("beta")
        return names + ["moving_mean", "moving_variance"]
    return []


def weight_shapes(cls, config, x):
    cin = x.shape[-1]
    if cls in ("Conv2D", "Convolution2D"):
        k = pair(config["kernel_size"]) if "kernel_size" in config else (config["nb_row"], config["nb_col"])
        f = get(config, "filters", "nb_filter")
        groups = config.get("groups", 1)
        return [(k[0], k[1], cin // groups, f), (f,)]
    if cls == "DepthwiseConv2D":
        k = pair(config["kernel_size"])
        m = config.get("depth_multiplier", 1)
        return [(k[0], k[1], cin, m), (cin * m,)]
    if cls in ("SeparableConv2D", "SeparableConvolution2D"):
        k = pair(config["kernel_size"]) if "kernel_size" in config else (config["nb_row"], config["nb_col"])
        m = config.get("depth_multiplier", 1)
        f = get(config, "filters", "nb_filter")
        return [(k[0], k[1], cin, m), (1, 1, cin * m, f), (f,)]
    if cls == "Dense":
        u = get(config, "units", "output_dim")
        return [(cin, u), (u,)]
    if cls in ("BatchNormalization", "LayerNormalization", "LayerScale"):
        return [(cin,)] * 4
    if cls == "Normalization":  # axis [3] of an NHWC input
        return [(cin,), (cin,), ()]
    return []


class FormulaWeights:
    def __init__(self, params):
        self.params = params

    def __call__(self, layer, cls, config, x):
        names = weight_names(cls, config)
        shapes = weight_shapes(cls, config, x)
        if cls == "BatchNormalization":
            shapes = shapes[:len(names)]
        elif len(names) < len(shapes):
            shapes = shapes[:len(names)]
        out = {}
        for j, (n, s) in enumerate(zip(names, shapes)):
            lo, hi = weight_range(n, s, self.params)
            out[n] = formula_tensor(layer, j, s, lo, hi)
        return out


class FileWeights:
    """Weights of a Keras full-model .h5, by layer name and stored order."""

    def __init__(self, path):
        self.file = h5py.File(path, "r")
        self.root = self.file["model_weights"] if "model_weights" in self.file else self.file

    def __call__(self, layer, cls, config, x):
        names = weight_names(cls, config)
        if not names:
            return {}
        group = self.root[layer]
        stored = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        assert len(stored) == len(names), (layer, stored, names)
        return {n: np.asarray(group[s], dtype=np.float32) for n, s in zip(names, stored)}


def snake_case(name):
    # keras.src.utils.naming.to_snake_case
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


class Keras3ArchiveWeights:
    """Weights of a Keras 3 .keras archive whose model is a plain Sequential: Keras's saving_lib
    names each layer's group layers/<snake_case class>[_k] (a counter per class, the leading
    InputLayer skipped) and its variables vars/0, vars/1, ... in creation order."""

    def __init__(self, path, sequential_config):
        archive = zipfile.ZipFile(path)
        self.file = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        used, self.groups = {}, {}
        for layer in sequential_config["config"]["layers"]:
            if layer["class_name"] == "InputLayer":
                continue
            name = snake_case(layer["class_name"])
            if name in used:
                used[name] += 1
                name = f"{name}_{used[name]}"
            else:
                used[name] = 0
            self.groups[layer["config"]["name"]] = "layers/" + name + "/vars"

    def __call__(self, layer, cls, config, x):
        names = weight_names(cls, config)
        if not names:
            return {}
        group = self.file[self.groups[layer]]
        assert len(group) == len(names), (layer, list(group), names)
        return {n: np.asarray(group[str(i)], dtype=np.float32) for i, n in enumerate(names)}


class NestedFileWeights:
    """Weights of a Keras 2 full-model .h5 whose layers include nested models: a nested model's
    group holds every inner layer's weights as "<inner layer>/<weight>:0"."""

    def __init__(self, path):
        self.file = h5py.File(path, "r")
        root = self.file["model_weights"]
        self.datasets = {}
        for group_name in root.attrs["layer_names"]:
            group = root[group_name.decode() if isinstance(group_name, bytes) else group_name]
            for stored in group.attrs.get("weight_names", []):
                stored = stored.decode() if isinstance(stored, bytes) else stored
                parts = stored.split("/")
                layer, base = (parts[-2] if len(parts) > 1 else group.name.split("/")[-1]), parts[-1]
                self.datasets.setdefault(layer, {})[base.split(":")[0]] = group[stored]

    def __call__(self, layer, cls, config, x):
        names = weight_names(cls, config)
        if not names:
            return {}
        stored = self.datasets[layer]
        assert set(names) == set(stored), (layer, names, list(stored))
        return {n: np.asarray(stored[n], dtype=np.float32) for n in names}


def flatten_model(model_config):
    """(name, class, config, producers) for every layer of a model whose layers may be models:
    nested models' layers take their place, their InputLayers read the tensor the nested model is
    called on, and the nested model's name stands for its output layer."""
    out, alias = [], {}

    def model(entry, call_inputs):
        cls, config = entry["class_name"], entry["config"]
        if cls == "Sequential":
            previous = call_inputs
            for layer in config["layers"]:
                lcls, lconfig = layer["class_name"], layer["config"]
                name = lconfig["name"]
                if lcls in ("Sequential", "Functional", "Model"):
                    previous = [model(layer, previous)]
                    alias[name] = previous[0]
                elif lcls == "InputLayer":
                    if previous:
                        alias[name] = previous[0]
                    else:
                        out.append((name, lcls, dict(lconfig), []))
                        previous = [name]
                else:
                    out.append((name, lcls, dict(lconfig), previous))
                    previous = [name]
            return previous[0]
        inputs = [r[0] for r in config["input_layers"]]
        for name, value in zip(inputs, call_inputs):
            alias[name] = value
        for layer in config["layers"]:
            inbound = layer.get("inbound_nodes") or []
            producers = [e[0] for e in inbound[0]] if inbound else []
            if layer["class_name"] in ("Sequential", "Functional", "Model"):
                alias[layer["name"]] = model(layer, producers)
            elif layer["class_name"] == "InputLayer" and call_inputs:
                continue
            else:
                out.append((layer["name"], layer["class_name"], dict(layer["config"]), producers))
        return config["output_layers"][0][0]

    model(model_config, [])

    def resolve(name):
        while name in alias:
            name = alias[name]
        return name

    return [(n, c, cfg, [resolve(p) for p in prods]) for n, c, cfg, prods in out]


def run_layer(cls, config, inputs, w):
    x = inputs[0]
    act = ACTIVATIONS[get(config, "activation", default="linear") or "linear"]
    if cls == "InputLayer":
        return x
    if cls in ("Conv2D", "Convolution2D"):
        y = conv2d(x, w["kernel"], w.get("bias"),
                   pair(get(config, "strides", "subsample", default=1)),
                   get(config, "padding", "border_mode", default="valid"),
                   pair(get(config, "dilation_rate", default=1)), config.get("groups", 1))
        return act(y)
    if cls == "DepthwiseConv2D":
        y = depthwise(x, w["depthwise_kernel"], pair(config["strides"]), config["padding"],
                      pair(config.get("dilation_rate", 1)))
        return act(y + w["bias"] if "bias" in w else y)
    if cls in ("SeparableConv2D", "SeparableConvolution2D"):
        d = depthwise(x, w["depthwise_kernel"], pair(get(config, "strides", "subsample", default=1)),
                      get(config, "padding", "border_mode"), pair(config.get("dilation_rate", 1)))
        y = conv2d(d, w["pointwise_kernel"], w.get("bias"), (1, 1), "valid", (1, 1))
        return act(y)
    if cls == "Dense":
        y = x @ w["kernel"].astype(np.float64)
        return act(y + w["bias"] if "bias" in w else y)
    if cls == "BatchNormalization":
        y = (x - w["moving_mean"]) / np.sqrt(w["moving_variance"].astype(np.float64) + config["epsilon"])
        if "gamma" in w:
            y = y * w["gamma"]
        if "beta" in w:
            y = y + w["beta"]
        return y
    if cls == "Activation":
        return act(x)
    if cls == "ReLU":
        return keras_relu(x, config.get("negative_slope", 0.0), config.get("max_value"),
                          config.get("threshold", 0.0))
    if cls == "ZeroPadding2D":
        p = config["padding"]
        if isinstance(p, int):
            p = ((p, p), (p, p))
        elif isinstance(p[0], int):
            p = ((p[0], p[0]), (p[1], p[1]))
        return np.pad(x, ((0, 0), tuple(p[0]), tuple(p[1]), (0, 0)))
    if cls == "Cropping2D":
        (t, b), (l, r) = config["cropping"]
        return x[:, t:x.shape[1] - b, l:x.shape[2] - r, :]
    if cls in ("MaxPooling2D", "AveragePooling2D"):
        size = pair(config["pool_size"])
        strides = pair(config.get("strides") or size)
        padding = get(config, "padding", "border_mode", default="valid")
        return pool(x, size, strides, padding, np.nanmax if cls == "MaxPooling2D" else np.nanmean)
    if cls == "GlobalAveragePooling2D":
        return x.mean(axis=(1, 2), keepdims=config.get("keepdims", False))
    if cls == "GlobalMaxPooling2D":
        return x.max(axis=(1, 2), keepdims=config.get("keepdims", False))
    if cls == "Flatten":
        return x.reshape(x.shape[0], -1)  # NHWC memory order: H, W, C
    if cls == "Reshape":
        return x.reshape((x.shape[0],) + tuple(config["target_shape"]))
    if cls == "Dropout":
        return x
    if cls == "Rescaling":  # Keras 3: a list scale broadcasts over the last axis
        return x * np.asarray(config["scale"], dtype=np.float64) + config.get("offset", 0.0)
    if cls == "Normalization":  # keras/src/layers/preprocessing/normalization.py, axis [3]
        mean = np.asarray(config["mean"] if config.get("mean") is not None else w["mean"],
                          dtype=np.float64)
        variance = np.asarray(config["variance"] if config.get("variance") is not None
                              else w["variance"], dtype=np.float64)
        return (x - mean) / np.maximum(np.sqrt(variance), 1e-7)
    if cls == "ops.add":  # Keras 3's x + constant on a symbolic tensor
        return x + config["x2"]
    if cls == "ops.multiply":
        return x * config["x2"]
    if cls == "Multiply":  # broadcasting, as Keras's merge layers do
        return inputs[0] * inputs[1]
    if cls == "LayerNormalization":  # one axis: Keras 3's ops.moments, biased variance
        axis = config.get("axis", -1)
        mean = x.mean(axis=axis, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=axis, keepdims=True)
        y = (x - mean) / np.sqrt(variance + config["epsilon"])
        if "gamma" in w:
            y = y * w["gamma"]
        return y + w["beta"] if "beta" in w else y
    if cls == "Normalization":  # mean and variance from the config, on the last axis
        mean = np.asarray(config["mean"], dtype=np.float64)
        deviation = np.maximum(np.sqrt(np.asarray(config["variance"], dtype=np.float64)), 1e-7)
        return (x - mean) / deviation
    if cls == "LayerScale":  # convnext.py: x * gamma
        return x * w["gamma"]
    if cls == "CustomScaleLayer":  # Keras 3's InceptionResNetV2 residual scaling
        return inputs[0] + inputs[1] * config["scale"]
    if cls == "Add" or (cls == "Merge" and config["mode"] == "sum"):
        return sum(inputs[1:], inputs[0])
    if cls == "Concatenate" or (cls == "Merge" and config["mode"] == "concat"):
        return np.concatenate(inputs, axis=get(config, "axis", "concat_axis", default=-1))
    raise NotImplementedError(cls)


def layers_of(model_config):
    config = model_config["config"]
    result = []
    for layer in config["layers"]:
        inbound = layer.get("inbound_nodes") or []
        producers = [e[0] for e in inbound[0]] if inbound else []
        result.append((layer["name"], layer["class_name"], dict(layer["config"]), producers))
    return result


def run_model(layers, x, weights, keep):
    values, kept = {}, {}
    for name, cls, config, producers in layers:
        inputs = [values[p] for p in producers] if producers else [x]
        w = weights(name, cls, config, inputs[0])
        values[name] = run_layer(cls, config, inputs, w)
        if name in keep:
            kept[name] = values[name]
    return values, kept


# ----------------------------------------------------------------------------------------------
# Cases.


def with_input_size(layers, size):
    name, cls, config, producers = layers[0]
    config = dict(config)
    config["batch_input_shape"] = [None, size, size, 3]
    return [(name, cls, config, producers)] + layers[1:]


def load_config(file):
    with open(os.path.join(FIXTURES, "keras-configs", file)) as f:
        return json.load(f)


def truncate(layers, last):
    out = []
    for layer in layers:
        out.append(layer)
        if layer[0] == last:
            return out
    raise KeyError(last)


def mobilenet_top(layers, classes):
    # keras-applications 1.0.6 (Keras 2.2.4) after conv_preds, which the topology file stops at.
    return layers + [
        ("act_softmax", "Activation", {"activation": "softmax"}, ["conv_preds"]),
        ("reshape_2", "Reshape", {"target_shape": [classes]}, ["act_softmax"]),
    ]


def xception_keras1_fixes(layers):
    # Two differences from the Keras 1 topology, as today's keras.applications.Xception (which
    # the zoo follows) has them: BatchNormalization epsilon is Keras's default 1e-3 (Keras 1 used
    # 1e-5), and the unnamed residual layers carry TF2 auto names (convolution2d_1 -> conv2d,
    # convolution2d_2 -> conv2d_1, batchnormalization_1 -> batch_normalization, merge_1 -> add).
    def rename(name):
        for old, new in (("convolution2d_", "conv2d"), ("batchnormalization_", "batch_normalization"),
                         ("merge_", "add")):
            if name.startswith(old) and name[len(old):].isdigit():
                n = int(name[len(old):]) - 1
                return new if n == 0 else f"{new}_{n}"
        return name

    out = []
    for name, cls, config, producers in layers:
        if cls == "BatchNormalization":
            config = dict(config, epsilon=1e-3)
        out.append((rename(name), cls, config, [rename(p) for p in producers]))
    return out


def with_global_pooling(layers, last, cls, name):
    return truncate(layers, last) + [(name, cls, {}, [last])]


def zoo_case(name, config_file, zoo, size, probes, adjust=None, params=None, batch=2):
    def build():
        layers = layers_of(load_config(config_file))
        layers = with_input_size(layers, size)
        if adjust:
            layers = adjust(layers)
        p = dict(DEFAULT_PARAMS, **(params or {}))
        return layers, FormulaWeights(p), p
    zoo = dict(zoo, input_size=size)
    return {"name": name, "zoo": zoo, "build": build, "size": size, "probes": probes,
            "input": [-1.0, 1.0], "batch": batch}


def fixture_case(name, fixture, size, probes, batch=2, channels=3):
    def build():
        path = os.path.join(FIXTURES, fixture)
        with h5py.File(path, "r") as f:
            model_config = json.loads(f.attrs["model_config"])
        if model_config["class_name"] == "Sequential":
            return flatten_model(model_config), FileWeights(path), None
        return layers_of(model_config), FileWeights(path), None
    return {"name": name, "fixture": fixture, "build": build, "size": size, "probes": probes,
            "input": [0.0, 1.0], "batch": batch, "channels": channels}


def keras3_archive_case(name, fixture, size, probes, batch=2, channels=3):
    def build():
        path = os.path.join(FIXTURES, fixture)
        model_config = json.loads(zipfile.ZipFile(path).read("config.json"))
        return flatten_model(model_config), Keras3ArchiveWeights(path, model_config), None
    return {"name": name, "fixture": fixture, "build": build, "size": size, "probes": probes,
            "input": [0.0, 1.0], "batch": batch, "channels": channels}


def nested_fixture_case(name, fixture, size, probes, batch=1):
    def build():
        path = os.path.join(FIXTURES, fixture)
        with h5py.File(path, "r") as f:
            model_config = json.loads(f.attrs["model_config"])
        return flatten_model(model_config), NestedFileWeights(path), None
    return {"name": name, "fixture": fixture, "build": build, "size": size, "probes": probes,
            "input": [-1.0, 1.0], "batch": batch}


# ----------------------------------------------------------------------------------------------
# Families without a Keras-written topology among the fixtures, ported here from Keras's own
# source (keras/src/applications/resnet.py, resnet_v2.py, densenet.py, mobilenet_v2.py,
# inception_resnet_v2.py, mobilenet_v3.py) into a small functional builder, independently of
# Graft's C++ builders: the layer names (which the formula weights hang on), configs and wiring
# come from Keras's Python, line by line.


class Functional:
    def __init__(self, size):
        self.layers = [("input_1", "InputLayer", {"batch_input_shape": [None, size, size, 3]}, [])]
        self.counts = {}
        self.size = {"input_1": size}

    def auto(self, base):
        """TF2 Keras auto names: max_pooling2d, max_pooling2d_1, ..."""
        n = self.counts.get(base, 0)
        self.counts[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def __call__(self, cls, name, config, *inputs):
        self.layers.append((name, cls, config, list(inputs)))
        return name


def conv_cfg(filters, kernel, strides=1, padding="valid", use_bias=True):
    return {"filters": filters, "kernel_size": [kernel, kernel], "strides": [strides, strides],
            "padding": padding.lower(), "use_bias": use_bias, "activation": "linear"}


def bn_cfg(epsilon):
    return {"axis": 3, "epsilon": epsilon}


def resnet(size, stack_fn, preact, include_top=True, pooling=None):
    f = Functional(size)
    x = f("ZeroPadding2D", "conv1_pad", {"padding": [[3, 3], [3, 3]]}, "input_1")
    x = f("Conv2D", "conv1_conv", conv_cfg(64, 7, 2), x)
    if not preact:
        x = f("BatchNormalization", "conv1_bn", bn_cfg(1.001e-5), x)
        x = f("Activation", "conv1_relu", {"activation": "relu"}, x)
    x = f("ZeroPadding2D", "pool1_pad", {"padding": [[1, 1], [1, 1]]}, x)
    x = f("MaxPooling2D", "pool1_pool", {"pool_size": [3, 3], "strides": [2, 2]}, x)
    x = stack_fn(f, x)
    if preact:
        x = f("BatchNormalization", "post_bn", bn_cfg(1.001e-5), x)
        x = f("Activation", "post_relu", {"activation": "relu"}, x)
    if include_top:
        x = f("GlobalAveragePooling2D", "avg_pool", {}, x)
        x = f("Dense", "predictions", {"units": 1000, "activation": "softmax"}, x)
    elif pooling == "avg":
        x = f("GlobalAveragePooling2D", "avg_pool", {}, x)
    elif pooling == "max":
        x = f("GlobalMaxPooling2D", "max_pool", {}, x)
    return f.layers


def residual_block_v1(f, x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    if conv_shortcut:
        shortcut = f("Conv2D", f"{name}_0_conv", conv_cfg(4 * filters, 1, stride), x)
        shortcut = f("BatchNormalization", f"{name}_0_bn", bn_cfg(1.001e-5), shortcut)
    else:
        shortcut = x
    x = f("Conv2D", f"{name}_1_conv", conv_cfg(filters, 1, stride), x)
    x = f("BatchNormalization", f"{name}_1_bn", bn_cfg(1.001e-5), x)
    x = f("Activation", f"{name}_1_relu", {"activation": "relu"}, x)
    x = f("Conv2D", f"{name}_2_conv", conv_cfg(filters, kernel_size, padding="SAME"), x)
    x = f("BatchNormalization", f"{name}_2_bn", bn_cfg(1.001e-5), x)
    x = f("Activation", f"{name}_2_relu", {"activation": "relu"}, x)
    x = f("Conv2D", f"{name}_3_conv", conv_cfg(4 * filters, 1), x)
    x = f("BatchNormalization", f"{name}_3_bn", bn_cfg(1.001e-5), x)
    x = f("Add", f"{name}_add", {}, shortcut, x)
    return f("Activation", f"{name}_out", {"activation": "relu"}, x)


def stack_residual_blocks_v1(f, x, filters, blocks, stride1=2, name=None):
    x = residual_block_v1(f, x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(f, x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def residual_block_v2(f, x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None):
    preact = f("BatchNormalization", f"{name}_preact_bn", bn_cfg(1.001e-5), x)
    preact = f("Activation", f"{name}_preact_relu", {"activation": "relu"}, preact)
    if conv_shortcut:
        shortcut = f("Conv2D", f"{name}_0_conv", conv_cfg(4 * filters, 1, stride), preact)
    else:
        shortcut = (f("MaxPooling2D", f.auto("max_pooling2d"),
                      {"pool_size": [1, 1], "strides": [stride, stride]}, x)
                    if stride > 1 else x)
    x = f("Conv2D", f"{name}_1_conv", conv_cfg(filters, 1, 1, use_bias=False), preact)
    x = f("BatchNormalization", f"{name}_1_bn", bn_cfg(1.001e-5), x)
    x = f("Activation", f"{name}_1_relu", {"activation": "relu"}, x)
    x = f("ZeroPadding2D", f"{name}_2_pad", {"padding": [[1, 1], [1, 1]]}, x)
    x = f("Conv2D", f"{name}_2_conv", conv_cfg(filters, kernel_size, stride, use_bias=False), x)
    x = f("BatchNormalization", f"{name}_2_bn", bn_cfg(1.001e-5), x)
    x = f("Activation", f"{name}_2_relu", {"activation": "relu"}, x)
    x = f("Conv2D", f"{name}_3_conv", conv_cfg(4 * filters, 1), x)
    return f("Add", f"{name}_out", {}, shortcut, x)


def stack_residual_blocks_v2(f, x, filters, blocks, stride1=2, name=None):
    x = residual_block_v2(f, x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(f, x, filters, name=f"{name}_block{i}")
    return residual_block_v2(f, x, filters, stride=stride1, name=f"{name}_block{blocks}")


def resnet152(size, **kw):
    def stack_fn(f, x):
        x = stack_residual_blocks_v1(f, x, 64, 3, stride1=1, name="conv2")
        x = stack_residual_blocks_v1(f, x, 128, 8, name="conv3")
        x = stack_residual_blocks_v1(f, x, 256, 36, name="conv4")
        return stack_residual_blocks_v1(f, x, 512, 3, name="conv5")
    return resnet(size, stack_fn, False, **kw)


def resnet101v2(size, **kw):
    def stack_fn(f, x):
        x = stack_residual_blocks_v2(f, x, 64, 3, name="conv2")
        x = stack_residual_blocks_v2(f, x, 128, 4, name="conv3")
        x = stack_residual_blocks_v2(f, x, 256, 23, name="conv4")
        return stack_residual_blocks_v2(f, x, 512, 3, stride1=1, name="conv5")
    return resnet(size, stack_fn, True, **kw)


def densenet(size, blocks, include_top=True, pooling=None):
    f = Functional(size)

    def conv_block(x, growth_rate, name):
        x1 = f("BatchNormalization", f"{name}_0_bn", bn_cfg(1.001e-5), x)
        x1 = f("Activation", f"{name}_0_relu", {"activation": "relu"}, x1)
        x1 = f("Conv2D", f"{name}_1_conv", conv_cfg(4 * growth_rate, 1, use_bias=False), x1)
        x1 = f("BatchNormalization", f"{name}_1_bn", bn_cfg(1.001e-5), x1)
        x1 = f("Activation", f"{name}_1_relu", {"activation": "relu"}, x1)
        x1 = f("Conv2D", f"{name}_2_conv", conv_cfg(growth_rate, 3, padding="same", use_bias=False), x1)
        return f("Concatenate", f"{name}_concat", {"axis": 3}, x, x1)

    channels = [64]

    def dense_block(x, n, name):
        for i in range(n):
            x = conv_block(x, 32, name=f"{name}_block{i + 1}")
            channels[0] += 32
        return x

    def transition_block(x, reduction, name):
        x = f("BatchNormalization", f"{name}_bn", bn_cfg(1.001e-5), x)
        x = f("Activation", f"{name}_relu", {"activation": "relu"}, x)
        channels[0] = int(channels[0] * reduction)
        x = f("Conv2D", f"{name}_conv", conv_cfg(channels[0], 1, use_bias=False), x)
        return f("AveragePooling2D", f"{name}_pool", {"pool_size": [2, 2], "strides": [2, 2]}, x)

    x = f("ZeroPadding2D", f.auto("zero_padding2d"), {"padding": [[3, 3], [3, 3]]}, "input_1")
    x = f("Conv2D", "conv1_conv", conv_cfg(64, 7, 2, use_bias=False), x)
    x = f("BatchNormalization", "conv1_bn", bn_cfg(1.001e-5), x)
    x = f("Activation", "conv1_relu", {"activation": "relu"}, x)
    x = f("ZeroPadding2D", f.auto("zero_padding2d"), {"padding": [[1, 1], [1, 1]]}, x)
    x = f("MaxPooling2D", "pool1", {"pool_size": [3, 3], "strides": [2, 2]}, x)
    x = dense_block(x, blocks[0], name="conv2")
    x = transition_block(x, 0.5, name="pool2")
    x = dense_block(x, blocks[1], name="conv3")
    x = transition_block(x, 0.5, name="pool3")
    x = dense_block(x, blocks[2], name="conv4")
    x = transition_block(x, 0.5, name="pool4")
    x = dense_block(x, blocks[3], name="conv5")
    x = f("BatchNormalization", "bn", bn_cfg(1.001e-5), x)
    x = f("Activation", "relu", {"activation": "relu"}, x)
    if include_top:
        x = f("GlobalAveragePooling2D", "avg_pool", {}, x)
        x = f("Dense", "predictions", {"units": 1000, "activation": "softmax"}, x)
    elif pooling == "max":
        x = f("GlobalMaxPooling2D", "max_pool", {}, x)
    return f.layers


def _make_divisible(v, divisor, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def mobilenet_v2(size, alpha, include_top=True, pooling=None):
    f = Functional(size)
    shape = {"input_1": (size, 3)}  # (spatial size, channels) of each tensor

    def conv_out(n, k, s, padding):
        return -(-n // s) if padding == "same" else (n - k) // s + 1

    def correct_pad(x, kernel_size):
        n = shape[x][0]
        adjust = 1 - n % 2
        c = kernel_size // 2
        return [[c - adjust, c], [c - adjust, c]]

    def add(cls, name, config, *inputs):
        x = f(cls, name, config, *inputs)
        n, c = shape[inputs[0]]
        if cls == "Conv2D":
            shape[x] = (conv_out(n, config["kernel_size"][0], config["strides"][0], config["padding"]),
                        config["filters"])
        elif cls == "DepthwiseConv2D":
            shape[x] = (conv_out(n, 3, config["strides"][0], config["padding"]), c)
        elif cls == "ZeroPadding2D":
            shape[x] = (n + sum(config["padding"][0]), c)
        else:
            shape[x] = (n, c)
        return x

    def bn(name, x):
        return add("BatchNormalization", name, {"axis": -1, "epsilon": 1e-3, "momentum": 0.999}, x)

    def relu6(name, x):
        return add("ReLU", name, {"max_value": 6.0}, x)

    def inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
        in_channels = shape[inputs][1]
        pointwise_filters = _make_divisible(int(filters * alpha), 8)
        x = inputs
        prefix = f"block_{block_id}_"
        if block_id:
            x = add("Conv2D", f"{prefix}expand", conv_cfg(expansion * in_channels, 1, padding="same", use_bias=False), x)
            x = bn(f"{prefix}expand_BN", x)
            x = relu6(f"{prefix}expand_relu", x)
        else:
            prefix = "expanded_conv_"
        if stride == 2:
            x = add("ZeroPadding2D", f"{prefix}pad", {"padding": correct_pad(x, 3)}, x)
        x = add("DepthwiseConv2D", f"{prefix}depthwise",
                {"kernel_size": [3, 3], "strides": [stride, stride], "use_bias": False,
                 "padding": "same" if stride == 1 else "valid", "depth_multiplier": 1}, x)
        x = bn(f"{prefix}depthwise_BN", x)
        x = relu6(f"{prefix}depthwise_relu", x)
        x = add("Conv2D", f"{prefix}project", conv_cfg(pointwise_filters, 1, padding="same", use_bias=False), x)
        x = bn(f"{prefix}project_BN", x)
        if in_channels == pointwise_filters and stride == 1:
            return add("Add", f"{prefix}add", {}, inputs, x)
        return x

    x = add("Conv2D", "Conv1", conv_cfg(_make_divisible(32 * alpha, 8), 3, 2, padding="same", use_bias=False),
            "input_1")
    x = bn("bn_Conv1", x)
    x = relu6("Conv1_relu", x)
    for block_id, (filters, stride, expansion) in enumerate([
            (16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6),
            (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6),
            (160, 1, 6), (160, 1, 6), (320, 1, 6)]):
        x = inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion,
                               block_id=block_id)
    last_block_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = add("Conv2D", "Conv_1", conv_cfg(last_block_filters, 1, use_bias=False), x)
    x = bn("Conv_1_bn", x)
    x = relu6("out_relu", x)
    if include_top:
        x = f("GlobalAveragePooling2D", f.auto("global_average_pooling2d"), {}, x)
        x = f("Dense", "predictions", {"units": 1000, "activation": "softmax"}, x)
    elif pooling == "avg":
        x = f("GlobalAveragePooling2D", f.auto("global_average_pooling2d"), {}, x)
    return f.layers


def inception_resnet_v2(size, include_top=True, pooling=None):
    """keras/src/applications/inception_resnet_v2.py as Keras 3 builds it: conv2d_bn's unnamed
    layers take Keras 3's auto names (conv2d, conv2d_1, ...), the residual scaling is the
    unnamed CustomScaleLayer (custom_scale_layer, custom_scale_layer_1, ...)."""
    f = Functional(size)
    channels = {"input_1": 3}

    def add(cls, name, config, *inputs):
        x = f(cls, name, config, *inputs)
        if cls == "Conv2D":
            channels[x] = config["filters"]
        elif cls == "Concatenate":
            channels[x] = sum(channels[i] for i in inputs)
        else:
            channels[x] = channels[inputs[0]]
        return x

    def conv2d_bn(x, filters, kernel_size, strides=1, padding="same", activation="relu",
                  use_bias=False, name=None):
        k = [kernel_size, kernel_size] if isinstance(kernel_size, int) else list(kernel_size)
        x = add("Conv2D", name or f.auto("conv2d"),
                {"filters": filters, "kernel_size": k, "strides": [strides, strides],
                 "padding": padding, "use_bias": use_bias, "activation": "linear"}, x)
        if not use_bias:
            bn_name = None if name is None else f"{name}_bn"
            x = add("BatchNormalization", bn_name or f.auto("batch_normalization"),
                    {"axis": 3, "scale": False, "epsilon": 1e-3}, x)
        if activation is not None:
            ac_name = None if name is None else f"{name}_ac"
            x = add("Activation", ac_name or f.auto("activation"), {"activation": activation}, x)
        return x

    def max_pool(x):
        return add("MaxPooling2D", f.auto("max_pooling2d"),
                   {"pool_size": [3, 3], "strides": [2, 2], "padding": "valid"}, x)

    def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
        if block_type == "block35":
            branch_0 = conv2d_bn(x, 32, 1)
            branch_1 = conv2d_bn(x, 32, 1)
            branch_1 = conv2d_bn(branch_1, 32, 3)
            branch_2 = conv2d_bn(x, 32, 1)
            branch_2 = conv2d_bn(branch_2, 48, 3)
            branch_2 = conv2d_bn(branch_2, 64, 3)
            branches = [branch_0, branch_1, branch_2]
        elif block_type == "block17":
            branch_0 = conv2d_bn(x, 192, 1)
            branch_1 = conv2d_bn(x, 128, 1)
            branch_1 = conv2d_bn(branch_1, 160, [1, 7])
            branch_1 = conv2d_bn(branch_1, 192, [7, 1])
            branches = [branch_0, branch_1]
        else:
            branch_0 = conv2d_bn(x, 192, 1)
            branch_1 = conv2d_bn(x, 192, 1)
            branch_1 = conv2d_bn(branch_1, 224, [1, 3])
            branch_1 = conv2d_bn(branch_1, 256, [3, 1])
            branches = [branch_0, branch_1]
        block_name = f"{block_type}_{block_idx}"
        mixed = add("Concatenate", f"{block_name}_mixed", {"axis": 3}, *branches)
        up = conv2d_bn(mixed, channels[x], 1, activation=None, use_bias=True,
                       name=f"{block_name}_conv")
        x = add("CustomScaleLayer", f.auto("custom_scale_layer"), {"scale": scale}, x, up)
        if activation is not None:
            x = add("Activation", f"{block_name}_ac", {"activation": activation}, x)
        return x

    x = conv2d_bn("input_1", 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = max_pool(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = max_pool(x)
    branch_0 = conv2d_bn(x, 96, 1)
    branch_1 = conv2d_bn(x, 48, 1)
    branch_1 = conv2d_bn(branch_1, 64, 5)
    branch_2 = conv2d_bn(x, 64, 1)
    branch_2 = conv2d_bn(branch_2, 96, 3)
    branch_2 = conv2d_bn(branch_2, 96, 3)
    branch_pool = add("AveragePooling2D", f.auto("average_pooling2d"),
                      {"pool_size": [3, 3], "strides": [1, 1], "padding": "same"}, x)
    branch_pool = conv2d_bn(branch_pool, 64, 1)
    x = add("Concatenate", "mixed_5b", {"axis": 3}, branch_0, branch_1, branch_2, branch_pool)
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=block_idx)
    branch_0 = conv2d_bn(x, 384, 3, strides=2, padding="valid")
    branch_1 = conv2d_bn(x, 256, 1)
    branch_1 = conv2d_bn(branch_1, 256, 3)
    branch_1 = conv2d_bn(branch_1, 384, 3, strides=2, padding="valid")
    branch_pool = max_pool(x)
    x = add("Concatenate", "mixed_6a", {"axis": 3}, branch_0, branch_1, branch_pool)
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=block_idx)
    branch_0 = conv2d_bn(x, 256, 1)
    branch_0 = conv2d_bn(branch_0, 384, 3, strides=2, padding="valid")
    branch_1 = conv2d_bn(x, 256, 1)
    branch_1 = conv2d_bn(branch_1, 288, 3, strides=2, padding="valid")
    branch_2 = conv2d_bn(x, 256, 1)
    branch_2 = conv2d_bn(branch_2, 288, 3)
    branch_2 = conv2d_bn(branch_2, 320, 3, strides=2, padding="valid")
    branch_pool = max_pool(x)
    x = add("Concatenate", "mixed_7a", {"axis": 3}, branch_0, branch_1, branch_2, branch_pool)
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=block_idx)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    if include_top:
        x = f("GlobalAveragePooling2D", "avg_pool", {}, x)
        x = f("Dense", "predictions", {"units": 1000, "activation": "softmax"}, x)
    elif pooling == "avg":
        x = f("GlobalAveragePooling2D", f.auto("global_average_pooling2d"), {}, x)
    elif pooling == "max":
        x = f("GlobalMaxPooling2D", f.auto("global_max_pooling2d"), {}, x)
    return f.layers


def mobilenet_v3(size, model_type, alpha=1.0, minimalistic=False, include_top=True,
                 pooling=None, dropout_rate=0.2, include_preprocessing=True):
    """keras/src/applications/mobilenet_v3.py as Keras 3 builds it: hard_swish is an unnamed
    Activation('hard_swish') (serialized as hard_silu), hard_sigmoid ReLU(6.)(x + 3.) * (1. / 6.)
    with the two arithmetic operations recorded as Keras 3 operations (auto names add, multiply);
    relu an unnamed ReLU. The stem is Conv2D(16) whatever alpha."""
    f = Functional(size)
    shape = {"input_1": (size, 3)}  # (spatial size or None, channels)

    def add(cls, name, config, *inputs):
        x = f(cls, name, config, *inputs)
        n, c = shape[inputs[0]]
        if cls == "Conv2D":
            s = config["strides"][0]
            n = None if n is None else (-(-n // s) if config["padding"] == "same"
                                        else (n - config["kernel_size"][0]) // s + 1)
            c = config["filters"]
        elif cls == "DepthwiseConv2D":
            s, k = config["strides"][0], config["kernel_size"][0]
            n = None if n is None else (-(-n // s) if config["padding"] == "same"
                                        else (n - k) // s + 1)
        elif cls == "ZeroPadding2D":
            n = None if n is None else n + sum(config["padding"][0])
        elif cls == "GlobalAveragePooling2D":
            n = 1
        shape[x] = (n, c)
        return x

    def conv(name, filters, kernel=1, strides=1, padding="same", use_bias=True):
        return {"filters": filters, "kernel_size": [kernel, kernel], "strides": [strides, strides],
                "padding": padding, "use_bias": use_bias, "activation": "linear"}

    def bn(name, x):
        return add("BatchNormalization", name, {"axis": -1, "epsilon": 1e-3, "momentum": 0.999}, x)

    def relu(x):
        return add("ReLU", f.auto("re_lu"), {}, x)

    def hard_sigmoid(x):
        relu6 = f.auto("re_lu")  # layers.ReLU(6.0) is made before x + 3.0 is evaluated
        x = add("ops.add", f.auto("add"), {"x2": 3.0}, x)
        x = add("ReLU", relu6, {"max_value": 6.0}, x)
        return add("ops.multiply", f.auto("multiply"), {"x2": 1.0 / 6.0}, x)

    def hard_swish(x):
        return add("Activation", f.auto("activation"), {"activation": "hard_silu"}, x)

    def correct_pad(x, kernel_size):
        n = shape[x][0]
        adjust = 1 if n is None else 1 - n % 2
        c = kernel_size // 2
        return [[c - adjust, c], [c - adjust, c]]

    def se_block(inputs, filters, se_ratio, prefix):
        x = add("GlobalAveragePooling2D", f"{prefix}squeeze_excite_avg_pool", {"keepdims": True},
                inputs)
        x = add("Conv2D", f"{prefix}squeeze_excite_conv",
                conv(None, _make_divisible(filters * se_ratio, 8)), x)
        x = add("ReLU", f"{prefix}squeeze_excite_relu", {}, x)
        x = add("Conv2D", f"{prefix}squeeze_excite_conv_1", conv(None, filters), x)
        x = hard_sigmoid(x)
        return add("Multiply", f"{prefix}squeeze_excite_mul", {}, inputs, x)

    def inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, activation,
                           block_id):
        shortcut = x
        prefix = "expanded_conv_"
        infilters = shape[x][1]
        if block_id:
            prefix = f"expanded_conv_{block_id}_"
            x = add("Conv2D", f"{prefix}expand",
                    conv(None, _make_divisible(infilters * expansion, 8), use_bias=False), x)
            x = bn(f"{prefix}expand_bn", x)
            x = activation(x)
        if stride == 2:
            x = add("ZeroPadding2D", f"{prefix}depthwise_pad",
                    {"padding": correct_pad(x, kernel_size)}, x)
        x = add("DepthwiseConv2D", f"{prefix}depthwise",
                {"kernel_size": [kernel_size, kernel_size], "strides": [stride, stride],
                 "padding": "same" if stride == 1 else "valid", "use_bias": False,
                 "depth_multiplier": 1}, x)
        x = bn(f"{prefix}depthwise_bn", x)
        x = activation(x)
        if se_ratio:
            x = se_block(x, _make_divisible(infilters * expansion, 8), se_ratio, prefix)
        x = add("Conv2D", f"{prefix}project", conv(None, filters, use_bias=False), x)
        x = bn(f"{prefix}project_bn", x)
        if stride == 1 and infilters == filters:
            x = add("Add", f"{prefix}add", {}, shortcut, x)
        return x

    def depth(d):
        return _make_divisible(d * alpha, 8)

    if minimalistic:
        kernel, activation, se_ratio = 3, relu, None
    else:
        kernel, activation, se_ratio = 5, hard_swish, 0.25

    def stack_small(x):
        x = inverted_res_block(x, 1, depth(16), 3, 2, se_ratio, relu, 0)
        x = inverted_res_block(x, 72.0 / 16, depth(24), 3, 2, None, relu, 1)
        x = inverted_res_block(x, 88.0 / 24, depth(24), 3, 1, None, relu, 2)
        x = inverted_res_block(x, 4, depth(40), kernel, 2, se_ratio, activation, 3)
        x = inverted_res_block(x, 6, depth(40), kernel, 1, se_ratio, activation, 4)
        x = inverted_res_block(x, 6, depth(40), kernel, 1, se_ratio, activation, 5)
        x = inverted_res_block(x, 3, depth(48), kernel, 1, se_ratio, activation, 6)
        x = inverted_res_block(x, 3, depth(48), kernel, 1, se_ratio, activation, 7)
        x = inverted_res_block(x, 6, depth(96), kernel, 2, se_ratio, activation, 8)
        x = inverted_res_block(x, 6, depth(96), kernel, 1, se_ratio, activation, 9)
        return inverted_res_block(x, 6, depth(96), kernel, 1, se_ratio, activation, 10)

    def stack_large(x):
        x = inverted_res_block(x, 1, depth(16), 3, 1, None, relu, 0)
        x = inverted_res_block(x, 4, depth(24), 3, 2, None, relu, 1)
        x = inverted_res_block(x, 3, depth(24), 3, 1, None, relu, 2)
        x = inverted_res_block(x, 3, depth(40), kernel, 2, se_ratio, relu, 3)
        x = inverted_res_block(x, 3, depth(40), kernel, 1, se_ratio, relu, 4)
        x = inverted_res_block(x, 3, depth(40), kernel, 1, se_ratio, relu, 5)
        x = inverted_res_block(x, 6, depth(80), 3, 2, None, activation, 6)
        x = inverted_res_block(x, 2.5, depth(80), 3, 1, None, activation, 7)
        x = inverted_res_block(x, 2.3, depth(80), 3, 1, None, activation, 8)
        x = inverted_res_block(x, 2.3, depth(80), 3, 1, None, activation, 9)
        x = inverted_res_block(x, 6, depth(112), 3, 1, se_ratio, activation, 10)
        x = inverted_res_block(x, 6, depth(112), 3, 1, se_ratio, activation, 11)
        x = inverted_res_block(x, 6, depth(160), kernel, 2, se_ratio, activation, 12)
        x = inverted_res_block(x, 6, depth(160), kernel, 1, se_ratio, activation, 13)
        return inverted_res_block(x, 6, depth(160), kernel, 1, se_ratio, activation, 14)

    last_point_ch = 1024 if model_type == "small" else 1280
    x = "input_1"
    if include_preprocessing:
        x = add("Rescaling", f.auto("rescaling"), {"scale": 1.0 / 127.5, "offset": -1.0}, x)
    x = add("Conv2D", "conv", conv(None, 16, 3, 2, use_bias=False), x)
    x = bn("conv_bn", x)
    x = activation(x)
    x = stack_small(x) if model_type == "small" else stack_large(x)
    last_conv_ch = _make_divisible(shape[x][1] * 6, 8)
    if alpha > 1.0:
        last_point_ch = _make_divisible(last_point_ch * alpha, 8)
    x = add("Conv2D", "conv_1", conv(None, last_conv_ch, use_bias=False), x)
    x = bn("conv_1_bn", x)
    x = activation(x)
    if include_top:
        x = add("GlobalAveragePooling2D", f.auto("global_average_pooling2d"), {"keepdims": True},
                x)
        x = add("Conv2D", "conv_2", conv(None, last_point_ch, use_bias=True), x)
        x = activation(x)
        if dropout_rate > 0:
            x = add("Dropout", f.auto("dropout"), {"rate": dropout_rate}, x)
        x = add("Conv2D", "logits", conv(None, 1000), x)
        x = add("Flatten", f.auto("flatten"), {}, x)
        x = add("Activation", "predictions", {"activation": "softmax"}, x)
    elif pooling == "avg":
        x = add("GlobalAveragePooling2D", "avg_pool", {}, x)
    elif pooling == "max":
        x = add("GlobalMaxPooling2D", "max_pool", {}, x)
    return f.layers


def convnext(size, depths, projection_dims, model_name, include_top=True, pooling=None,
             include_preprocessing=True):
    """keras/src/applications/convnext.py as Keras 3 builds it (drop_path_rate 0,
    layer_scale_init_value 1e-6): PreStem's Normalization, the stem and downsampling
    Sequentials' layers (flattened here), ConvNeXtBlock with Activation('linear') _identity and
    `inputs + x` a Keras 3 operation (auto names add, add_1, ...), Head or the no-top pooling and
    LayerNormalization."""
    f = Functional(size)
    name = model_name
    ln = {"axis": -1, "epsilon": 1e-6}
    x = "input_1"
    if include_preprocessing:
        x = f("Normalization", f"{name}_prestem_normalization",
              {"axis": -1, "mean": [0.485 * 255, 0.456 * 255, 0.406 * 255],
               "variance": [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2]}, x)
    for i in range(4):
        if i == 0:
            x = f("Conv2D", f"{name}_stem_conv", conv_cfg(projection_dims[0], 4, strides=4), x)
            x = f("LayerNormalization", f"{name}_stem_layernorm", ln, x)
        else:
            x = f("LayerNormalization", f"{name}_downsampling_layernorm_{i - 1}", ln, x)
            x = f("Conv2D", f"{name}_downsampling_conv_{i - 1}",
                  conv_cfg(projection_dims[i], 2, strides=2), x)
        dim = projection_dims[i]
        for j in range(depths[i]):
            block = f"{name}_stage_{i}_block_{j}"
            inputs = x
            y = f("Conv2D", f"{block}_depthwise_conv",
                  dict(conv_cfg(dim, 7, padding="same"), groups=dim), x)
            y = f("LayerNormalization", f"{block}_layernorm", ln, y)
            y = f("Dense", f"{block}_pointwise_conv_1", {"units": 4 * dim}, y)
            y = f("Activation", f"{block}_gelu", {"activation": "gelu"}, y)
            y = f("Dense", f"{block}_pointwise_conv_2", {"units": dim}, y)
            y = f("LayerScale", f"{block}_layer_scale",
                  {"init_values": 1e-6, "projection_dim": dim}, y)
            y = f("Activation", f"{block}_identity", {"activation": "linear"}, y)
            x = f("Add", f.auto("add"), {}, inputs, y)
    if include_top:
        x = f("GlobalAveragePooling2D", f"{name}_head_gap", {}, x)
        x = f("LayerNormalization", f"{name}_head_layernorm", ln, x)
        x = f("Dense", f"{name}_head_dense", {"units": 1000, "activation": "softmax"}, x)
    else:
        if pooling == "avg":
            x = f("GlobalAveragePooling2D", f.auto("global_average_pooling2d"), {}, x)
        elif pooling == "max":
            x = f("GlobalMaxPooling2D", f.auto("global_max_pooling2d"), {}, x)
        x = f("LayerNormalization", f.auto("layer_normalization"), ln, x)
    return f.layers


def nasnet(size, penultimate_filters, num_blocks, stem_block_filters, skip_reduction,
           filter_multiplier=2, include_top=True, pooling=None):
    """keras/src/applications/nasnet.py as Keras 3 builds it: the unnamed layers (the relu
    Activations, adjust_block's ZeroPadding2D / Cropping2D / concatenate, reduction block 4's
    add, the last relu and pooling) under Keras 3's auto names in the order they are made;
    correct_pad from the map's size; adjust_block by the maps' widths and channels."""
    f = Functional(size)
    shape = {"input_1": (size, 3)}  # (spatial size, channels)
    bn = {"axis": -1, "momentum": 0.9997, "epsilon": 1e-3}

    def add(cls, name, config, *inputs):
        x = f(cls, name, config, *inputs)
        n, c = shape[inputs[0]]
        if cls in ("Conv2D", "SeparableConv2D", "MaxPooling2D", "AveragePooling2D"):
            k = (config.get("kernel_size") or config["pool_size"])[0]
            st = config["strides"][0]
            n = -(-n // st) if config["padding"] == "same" else (n - k) // st + 1
            c = config.get("filters", c)
        elif cls == "ZeroPadding2D":
            n = n + sum(config["padding"][0])
        elif cls == "Cropping2D":
            n = n - sum(config["cropping"][0])
        elif cls == "Concatenate":
            c = sum(shape[i][1] for i in inputs)
        shape[x] = (n, c)
        return x

    def relu(x, name=None):
        return add("Activation", name or f.auto("activation"), {"activation": "relu"}, x)

    def batch_norm(name, x):
        return add("BatchNormalization", name, bn, x)

    def conv(name, filters, x, strides=1, padding="same"):
        return add("Conv2D", name, conv_cfg(filters, 1, strides, padding, use_bias=False), x)

    def correct_pad(x, k):
        n = shape[x][0]
        a = 1 - n % 2
        return [[k // 2 - a, k // 2], [k // 2 - a, k // 2]]

    def sep(name, filters, k, x, strides=1, padding="same"):
        return add("SeparableConv2D", name,
                   {"filters": filters, "kernel_size": [k, k], "strides": [strides, strides],
                    "padding": padding, "use_bias": False, "depth_multiplier": 1,
                    "activation": "linear"}, x)

    def separable_conv_block(ip, filters, k=3, strides=1, block_id=None):
        x = relu(ip)
        if strides == 2:
            x = add("ZeroPadding2D", f"separable_conv_1_pad_{block_id}",
                    {"padding": correct_pad(x, k)}, x)
            x = sep(f"separable_conv_1_{block_id}", filters, k, x, 2, "valid")
        else:
            x = sep(f"separable_conv_1_{block_id}", filters, k, x)
        x = batch_norm(f"separable_conv_1_bn_{block_id}", x)
        x = relu(x)
        x = sep(f"separable_conv_2_{block_id}", filters, k, x)
        return batch_norm(f"separable_conv_2_bn_{block_id}", x)

    def pool(cls, name, k, strides, padding, x):
        return add(cls, name, {"pool_size": [k, k], "strides": [strides, strides],
                               "padding": padding}, x)

    def adjust_block(p, ip, filters, block_id):
        if p is None:
            return ip
        if shape[p][0] != shape[ip][0]:
            p = relu(p, f"adjust_relu_1_{block_id}")
            p1 = pool("AveragePooling2D", f"adjust_avg_pool_1_{block_id}", 1, 2, "valid", p)
            p1 = conv(f"adjust_conv_1_{block_id}", filters // 2, p1)
            p2 = add("ZeroPadding2D", f.auto("zero_padding2d"), {"padding": [[0, 1], [0, 1]]}, p)
            p2 = add("Cropping2D", f.auto("cropping2d"), {"cropping": [[1, 0], [1, 0]]}, p2)
            p2 = pool("AveragePooling2D", f"adjust_avg_pool_2_{block_id}", 1, 2, "valid", p2)
            p2 = conv(f"adjust_conv_2_{block_id}", filters // 2, p2)
            p = add("Concatenate", f.auto("concatenate"), {"axis": -1}, p1, p2)
            return batch_norm(f"adjust_bn_{block_id}", p)
        if shape[p][1] != filters:
            p = relu(p)
            p = conv(f"adjust_conv_projection_{block_id}", filters, p)
            return batch_norm(f"adjust_bn_{block_id}", p)
        return p

    def normal_a_cell(ip, p, filters, block_id):
        p = adjust_block(p, ip, filters, block_id)
        h = relu(ip)
        h = conv(f"normal_conv_1_{block_id}", filters, h)
        h = batch_norm(f"normal_bn_1_{block_id}", h)
        x1_1 = separable_conv_block(h, filters, 5, block_id=f"normal_left1_{block_id}")
        x1_2 = separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
        x1 = add("Add", f"normal_add_1_{block_id}", {}, x1_1, x1_2)
        x2_1 = separable_conv_block(p, filters, 5, block_id=f"normal_left2_{block_id}")
        x2_2 = separable_conv_block(p, filters, 3, block_id=f"normal_right2_{block_id}")
        x2 = add("Add", f"normal_add_2_{block_id}", {}, x2_1, x2_2)
        x3 = pool("AveragePooling2D", f"normal_left3_{block_id}", 3, 1, "same", h)
        x3 = add("Add", f"normal_add_3_{block_id}", {}, x3, p)
        x4_1 = pool("AveragePooling2D", f"normal_left4_{block_id}", 3, 1, "same", p)
        x4_2 = pool("AveragePooling2D", f"normal_right4_{block_id}", 3, 1, "same", p)
        x4 = add("Add", f"normal_add_4_{block_id}", {}, x4_1, x4_2)
        x5 = separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
        x5 = add("Add", f"normal_add_5_{block_id}", {}, x5, h)
        x = add("Concatenate", f"normal_concat_{block_id}", {"axis": -1}, p, x1, x2, x3, x4, x5)
        return x, ip

    def reduction_a_cell(ip, p, filters, block_id):
        p = adjust_block(p, ip, filters, block_id)
        h = relu(ip)
        h = conv(f"reduction_conv_1_{block_id}", filters, h)
        h = batch_norm(f"reduction_bn_1_{block_id}", h)
        h3 = add("ZeroPadding2D", f"reduction_pad_1_{block_id}", {"padding": correct_pad(h, 3)}, h)
        x1_1 = separable_conv_block(h, filters, 5, 2, f"reduction_left1_{block_id}")
        x1_2 = separable_conv_block(p, filters, 7, 2, f"reduction_right1_{block_id}")
        x1 = add("Add", f"reduction_add_1_{block_id}", {}, x1_1, x1_2)
        x2_1 = pool("MaxPooling2D", f"reduction_left2_{block_id}", 3, 2, "valid", h3)
        x2_2 = separable_conv_block(p, filters, 7, 2, f"reduction_right2_{block_id}")
        x2 = add("Add", f"reduction_add_2_{block_id}", {}, x2_1, x2_2)
        x3_1 = pool("AveragePooling2D", f"reduction_left3_{block_id}", 3, 2, "valid", h3)
        x3_2 = separable_conv_block(p, filters, 5, 2, f"reduction_right3_{block_id}")
        x3 = add("Add", f"reduction_add3_{block_id}", {}, x3_1, x3_2)
        x4 = pool("AveragePooling2D", f"reduction_left4_{block_id}", 3, 1, "same", x1)
        x4 = add("Add", f.auto("add"), {}, x2, x4)
        x5_1 = separable_conv_block(x1, filters, 3, block_id=f"reduction_left4_{block_id}")
        x5_2 = pool("MaxPooling2D", f"reduction_right5_{block_id}", 3, 2, "valid", h3)
        x5 = add("Add", f"reduction_add4_{block_id}", {}, x5_1, x5_2)
        x = add("Concatenate", f"reduction_concat_{block_id}", {"axis": -1}, x2, x3, x4, x5)
        return x, ip

    filters = penultimate_filters // 24
    m = filter_multiplier
    x = add("Conv2D", "stem_conv1", conv_cfg(stem_block_filters, 3, 2, "valid", use_bias=False),
            "input_1")
    x = batch_norm("stem_bn1", x)
    p = None
    x, p = reduction_a_cell(x, p, filters // (m ** 2), "stem_1")
    x, p = reduction_a_cell(x, p, filters // m, "stem_2")
    for i in range(num_blocks):
        x, p = normal_a_cell(x, p, filters, f"{i}")
    x, p0 = reduction_a_cell(x, p, filters * m, f"reduce_{num_blocks}")
    p = p0 if not skip_reduction else p
    for i in range(num_blocks):
        x, p = normal_a_cell(x, p, filters * m, f"{num_blocks + i + 1}")
    x, p0 = reduction_a_cell(x, p, filters * m ** 2, f"reduce_{2 * num_blocks}")
    p = p0 if not skip_reduction else p
    for i in range(num_blocks):
        x, p = normal_a_cell(x, p, filters * m ** 2, f"{2 * num_blocks + i + 1}")
    x = relu(x)
    if include_top:
        x = add("GlobalAveragePooling2D", f.auto("global_average_pooling2d"), {}, x)
        x = add("Dense", "predictions", {"units": 1000, "activation": "softmax"}, x)
    elif pooling == "avg":
        x = add("GlobalAveragePooling2D", f.auto("global_average_pooling2d"), {}, x)
    elif pooling == "max":
        x = add("GlobalMaxPooling2D", f.auto("global_max_pooling2d"), {}, x)
    return f.layers


def nasnet_mobile(size, **kw):
    return nasnet(size, 1056, 4, 32, False, **kw)


def nasnet_large(size, **kw):
    return nasnet(size, 4032, 6, 96, True, **kw)


def efficientnet(size, width, depth, dropout_rate, include_top=True, pooling=None):
    """keras/src/applications/efficientnet.py as Keras 3 builds it with weights="imagenet": the
    stem's unnamed Rescaling(1/255), Normalization(axis=3) and Rescaling(1/sqrt(stddev)), then
    DEFAULT_BLOCKS_ARGS scaled by round_filters / round_repeats, drop_connect_rate 0.2."""
    f = Functional(size)
    spatial = {"input_1": size}
    blocks_args = [  # kernel, repeats, filters_in, filters_out, expand_ratio, strides
        (3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
        (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]

    def add(cls, name, config, *inputs):
        x = f(cls, name, config, *inputs)
        n = spatial[inputs[0]]
        if cls == "ZeroPadding2D":
            n = n + sum(config["padding"][0])
        elif cls in ("Conv2D", "DepthwiseConv2D") and config["padding"] == "valid":
            n = (n - config["kernel_size"][0]) // config["strides"][0] + 1
        elif cls in ("GlobalAveragePooling2D", "Reshape"):
            n = 1
        spatial[x] = n
        return x

    def round_filters(filters, divisor=8):
        filters *= width
        new_filters = max(divisor, int(filters + divisor / 2) // divisor * divisor)
        if new_filters < 0.9 * filters:
            new_filters += divisor
        return int(new_filters)

    def round_repeats(repeats):
        return int(math.ceil(depth * repeats))

    def correct_pad(x, kernel_size):
        n = spatial[x]
        adjust = 1 - n % 2
        c = kernel_size // 2
        return [[c - adjust, c], [c - adjust, c]]

    def conv(filters, kernel, strides=1, padding="same", use_bias=False, activation="linear"):
        return {"filters": filters, "kernel_size": [kernel, kernel], "strides": [strides, strides],
                "padding": padding, "use_bias": use_bias, "activation": activation}

    def bn(name, x):
        return add("BatchNormalization", name, {"axis": 3, "epsilon": 1e-3}, x)

    def block(inputs, drop_rate, name, filters_in, filters_out, kernel_size, strides,
              expand_ratio, se_ratio=0.25):
        filters = filters_in * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = add("Conv2D", f"{name}expand_conv", conv(filters, 1), x)
            x = bn(f"{name}expand_bn", x)
            x = add("Activation", f"{name}expand_activation", {"activation": "silu"}, x)
        if strides == 2:
            x = add("ZeroPadding2D", f"{name}dwconv_pad",
                    {"padding": correct_pad(x, kernel_size)}, x)
            conv_pad = "valid"
        else:
            conv_pad = "same"
        x = add("DepthwiseConv2D", f"{name}dwconv",
                {"kernel_size": [kernel_size, kernel_size], "strides": [strides, strides],
                 "padding": conv_pad, "use_bias": False, "depth_multiplier": 1}, x)
        x = bn(f"{name}bn", x)
        x = add("Activation", f"{name}activation", {"activation": "silu"}, x)
        filters_se = max(1, int(filters_in * se_ratio))
        se = add("GlobalAveragePooling2D", f"{name}se_squeeze", {}, x)
        se = add("Reshape", f"{name}se_reshape", {"target_shape": [1, 1, filters]}, se)
        se = add("Conv2D", f"{name}se_reduce", conv(filters_se, 1, use_bias=True,
                                                    activation="silu"), se)
        se = add("Conv2D", f"{name}se_expand", conv(filters, 1, use_bias=True,
                                                    activation="sigmoid"), se)
        x = add("Multiply", f"{name}se_excite", {}, x, se)
        x = add("Conv2D", f"{name}project_conv", conv(filters_out, 1), x)
        x = bn(f"{name}project_bn", x)
        if strides == 1 and filters_in == filters_out:
            if drop_rate > 0:
                x = add("Dropout", f"{name}drop", {"rate": drop_rate,
                                                   "noise_shape": [None, 1, 1, 1]}, x)
            x = add("Add", f"{name}add", {}, x, inputs)
        return x

    x = add("Rescaling", f.auto("rescaling"), {"scale": 1.0 / 255.0, "offset": 0.0}, "input_1")
    x = add("Normalization", f.auto("normalization"), {"axis": [3]}, x)
    x = add("Rescaling", f.auto("rescaling"),
            {"scale": [1.0 / math.sqrt(s) for s in [0.229, 0.224, 0.225]], "offset": 0.0}, x)
    x = add("ZeroPadding2D", "stem_conv_pad", {"padding": correct_pad(x, 3)}, x)
    x = add("Conv2D", "stem_conv", conv(round_filters(32), 3, 2, "valid"), x)
    x = bn("stem_bn", x)
    x = add("Activation", "stem_activation", {"activation": "silu"}, x)
    b = 0
    blocks = float(sum(round_repeats(a[1]) for a in blocks_args))
    for i, (kernel, repeats, filters_in, filters_out, expand, strides) in enumerate(blocks_args):
        filters_in, filters_out = round_filters(filters_in), round_filters(filters_out)
        for j in range(round_repeats(repeats)):
            if j > 0:
                strides, filters_in = 1, filters_out
            x = block(x, 0.2 * b / blocks, f"block{i + 1}{chr(j + 97)}_", filters_in,
                      filters_out, kernel, strides, expand)
            b += 1
    x = add("Conv2D", "top_conv", conv(round_filters(1280), 1), x)
    x = bn("top_bn", x)
    x = add("Activation", "top_activation", {"activation": "silu"}, x)
    if include_top:
        x = add("GlobalAveragePooling2D", "avg_pool", {}, x)
        if dropout_rate > 0:
            x = add("Dropout", "top_dropout", {"rate": dropout_rate}, x)
        x = add("Dense", "predictions", {"units": 1000, "activation": "softmax"}, x)
    elif pooling == "avg":
        x = add("GlobalAveragePooling2D", "avg_pool", {}, x)
    elif pooling == "max":
        x = add("GlobalMaxPooling2D", "max_pool", {}, x)
    return f.layers


EFFICIENTNET_V2_BLOCKS = {  # DEFAULT_BLOCKS_ARGS: kernel, repeats, in, out, expand, se, strides, fused
    "s": [(3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1), (3, 4, 48, 64, 4, 0, 2, 1),
          (3, 6, 64, 128, 4, 0.25, 2, 0), (3, 9, 128, 160, 6, 0.25, 1, 0),
          (3, 15, 160, 256, 6, 0.25, 2, 0)],
    "m": [(3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1), (3, 5, 48, 80, 4, 0, 2, 1),
          (3, 7, 80, 160, 4, 0.25, 2, 0), (3, 14, 160, 176, 6, 0.25, 1, 0),
          (3, 18, 176, 304, 6, 0.25, 2, 0), (3, 5, 304, 512, 6, 0.25, 1, 0)],
    "l": [(3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1), (3, 7, 64, 96, 4, 0, 2, 1),
          (3, 10, 96, 192, 4, 0.25, 2, 0), (3, 19, 192, 224, 6, 0.25, 1, 0),
          (3, 25, 224, 384, 6, 0.25, 2, 0), (3, 7, 384, 640, 6, 0.25, 1, 0)],
    "b": [(3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
          (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
          (3, 8, 112, 192, 6, 0.25, 2, 0)],
}


def efficientnet_v2(size, variant, width, depth, include_top=True, pooling=None,
                    include_preprocessing=True):
    """keras/src/applications/efficientnet_v2.py as Keras 3 builds it: B0-B3 read 0..255 through
    Rescaling(1/255) and a Normalization with ImageNet's mean and variance as constants, S/M/L
    through Rescaling(1/128, offset -1); 'same' padding throughout (no ZeroPadding2D); MBConv
    (dwconv2) and FusedMBConv blocks; stochastic depth 0.2 * b / (unrounded block count)."""
    f = Functional(size)
    blocks_args = EFFICIENTNET_V2_BLOCKS[variant[0]]

    def round_filters(filters, min_depth=8, divisor=8):
        filters *= width
        return int(max(min_depth, int(filters + divisor / 2) // divisor * divisor))

    def round_repeats(repeats):
        return int(math.ceil(depth * repeats))

    def conv(filters, kernel, strides=1, use_bias=False, activation="linear"):
        return {"filters": filters, "kernel_size": [kernel, kernel], "strides": [strides, strides],
                "padding": "same", "use_bias": use_bias, "activation": activation}

    def bn(name, x):
        return f("BatchNormalization", name, {"axis": 3, "epsilon": 1e-3, "momentum": 0.9}, x)

    def se_block(x, name, input_filters, filters, se_ratio):
        filters_se = max(1, int(input_filters * se_ratio))
        se = f("GlobalAveragePooling2D", f"{name}se_squeeze", {}, x)
        se = f("Reshape", f"{name}se_reshape", {"target_shape": [1, 1, filters]}, se)
        se = f("Conv2D", f"{name}se_reduce", conv(filters_se, 1, use_bias=True,
                                                  activation="silu"), se)
        se = f("Conv2D", f"{name}se_expand", conv(filters, 1, use_bias=True,
                                                  activation="sigmoid"), se)
        return f("Multiply", f"{name}se_excite", {}, x, se)

    def residual(x, inputs, name, strides, input_filters, output_filters, survival_probability):
        if strides == 1 and input_filters == output_filters:
            if survival_probability:
                x = f("Dropout", f"{name}drop", {"rate": survival_probability,
                                                 "noise_shape": [None, 1, 1, 1]}, x)
            x = f("Add", f"{name}add", {}, x, inputs)
        return x

    def mbconv(inputs, name, input_filters, output_filters, expand_ratio, kernel_size, strides,
               se_ratio, survival_probability):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = f("Conv2D", f"{name}expand_conv", conv(filters, 1), x)
            x = bn(f"{name}expand_bn", x)
            x = f("Activation", f"{name}expand_activation", {"activation": "silu"}, x)
        x = f("DepthwiseConv2D", f"{name}dwconv2",
              {"kernel_size": [kernel_size, kernel_size], "strides": [strides, strides],
               "padding": "same", "use_bias": False, "depth_multiplier": 1}, x)
        x = bn(f"{name}bn", x)
        x = f("Activation", f"{name}activation", {"activation": "silu"}, x)
        if 0 < se_ratio <= 1:
            x = se_block(x, name, input_filters, filters, se_ratio)
        x = f("Conv2D", f"{name}project_conv", conv(output_filters, 1), x)
        x = bn(f"{name}project_bn", x)
        return residual(x, inputs, name, strides, input_filters, output_filters,
                        survival_probability)

    def fused(inputs, name, input_filters, output_filters, expand_ratio, kernel_size, strides,
              se_ratio, survival_probability):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = f("Conv2D", f"{name}expand_conv", conv(filters, kernel_size, strides), x)
            x = bn(f"{name}expand_bn", x)
            x = f("Activation", f"{name}expand_activation", {"activation": "silu"}, x)
        if 0 < se_ratio <= 1:
            x = se_block(x, name, input_filters, filters, se_ratio)
        x = f("Conv2D", f"{name}project_conv",
              conv(output_filters, 1 if expand_ratio != 1 else kernel_size,
                   1 if expand_ratio != 1 else strides), x)
        x = bn(f"{name}project_bn", x)
        if expand_ratio == 1:
            x = f("Activation", f"{name}project_activation", {"activation": "silu"}, x)
        return residual(x, inputs, name, strides, input_filters, output_filters,
                        survival_probability)

    x = "input_1"
    if include_preprocessing:
        if variant.startswith("b"):
            x = f("Rescaling", f.auto("rescaling"), {"scale": 1.0 / 255, "offset": 0.0}, x)
            x = f("Normalization", f.auto("normalization"),
                  {"axis": [3], "mean": [0.485, 0.456, 0.406],
                   "variance": [0.229 ** 2, 0.224 ** 2, 0.225 ** 2]}, x)
        else:
            x = f("Rescaling", f.auto("rescaling"), {"scale": 1.0 / 128.0, "offset": -1}, x)
    x = f("Conv2D", "stem_conv", conv(round_filters(blocks_args[0][2]), 3, 2), x)
    x = bn("stem_bn", x)
    x = f("Activation", "stem_activation", {"activation": "silu"}, x)
    b = 0
    blocks = float(sum(a[1] for a in blocks_args))
    for i, (kernel, repeats, input_filters, output_filters, expand, se_ratio, strides,
            conv_type) in enumerate(blocks_args):
        input_filters, output_filters = round_filters(input_filters), round_filters(output_filters)
        block = fused if conv_type == 1 else mbconv
        for j in range(round_repeats(repeats)):
            if j > 0:
                strides, input_filters = 1, output_filters
            x = block(x, f"block{i + 1}{chr(j + 97)}_", input_filters, output_filters, expand,
                      kernel, strides, se_ratio, 0.2 * b / blocks)
            b += 1
    x = f("Conv2D", "top_conv", conv(round_filters(1280), 1), x)
    x = bn("top_bn", x)
    x = f("Activation", "top_activation", {"activation": "silu"}, x)
    if include_top:
        x = f("GlobalAveragePooling2D", "avg_pool", {}, x)
        x = f("Dropout", "top_dropout", {"rate": 0.2}, x)
        x = f("Dense", "predictions", {"units": 1000, "activation": "softmax"}, x)
    elif pooling == "avg":
        x = f("GlobalAveragePooling2D", "avg_pool", {}, x)
    elif pooling == "max":
        x = f("GlobalMaxPooling2D", "max_pool", {}, x)
    return f.layers


def efficientnet_params(layers):
    """Keras's model.summary() total of a port (counting shapes as Keras's build does)."""
    total, channels = 0, {}
    for name, cls, config, producers in layers:
        c = channels[producers[0]] if producers else 3
        if cls == "Conv2D":
            k = config["kernel_size"][0]
            total += k * k * c * config["filters"] + (config["filters"] if config["use_bias"] else 0)
            c = config["filters"]
        elif cls == "DepthwiseConv2D":
            k = config["kernel_size"][0]
            total += k * k * c
        elif cls == "BatchNormalization":
            total += 4 * c
        elif cls == "Normalization" and config.get("mean") is None:
            total += 2 * c + 1
        elif cls == "Dense":
            total += c * config["units"] + config["units"]
            c = config["units"]
        elif cls == "Reshape":
            c = config["target_shape"][-1]
        channels[name] = c
    return total


def ported_case(name, zoo, size, layers_fn, probes, params=None, batch=1, pixels=(-1.0, 1.0)):
    def build():
        p = dict(DEFAULT_PARAMS, **(params or {}))
        return layers_fn(size), FormulaWeights(p), p
    zoo = dict(zoo, input_size=size)
    return {"name": name, "zoo": zoo, "build": build, "size": size, "probes": probes,
            "input": list(pixels), "batch": batch}


# Residual sums add the branch's variance at every block; smaller BatchNormalization scales keep
# the activations of a deep random network near 1 instead of 1e4 (so the softmax stays soft).
RESIDUAL_PARAMS = {"gamma": [0.4, 0.6]}
# MobileNetV3 at Keras's default gamma reaches logits near 50 (a saturated softmax); 0.7-0.9
# keeps every probed tensor between 0.1 and 3.
MOBILENET_V3_PARAMS = {"gamma": [0.7, 0.9]}
# NASNet's cells add and concatenate branches: BatchNormalization scales of 0.55-0.75 keep its
# activations near 1 and the softmax soft (0.4-0.6 shrinks them to 0.1, 0.9-1.1 grows them to
# 100).
NASNET_PARAMS = {"gamma": [0.55, 0.75]}
# EfficientNet's Normalization holds ImageNet-like statistics of pixels / 255 (count unused);
# gamma 0.8-1.0 keeps the probed tensors between 0.05 and 15 (the default drowns the signal).
EFFICIENTNET_PARAMS = {"gamma": [0.8, 1.0], "mean": [0.4, 0.5], "variance": [0.04, 0.06],
                       "count": [0.0, 1.0]}

CASES = [
    zoo_case("vgg16_top_65", "vgg16.json",
             {"architecture": "vgg16", "include_top": True, "classes": 1000},
             65, ["block5_pool", "fc2", "predictions"],
             adjust=lambda l: truncate(l, "predictions")),
    zoo_case("vgg19_notop_max_47", "vgg19.json",
             {"architecture": "vgg19", "include_top": False, "pooling": "max"},
             47, ["block5_conv4", "global_max_pooling2d"],
             adjust=lambda l: with_global_pooling(l, "block5_pool", "GlobalMaxPooling2D",
                                                  "global_max_pooling2d")),
    zoo_case("mobilenet_1_0_top_67", "mobilenet.json",
             {"architecture": "mobilenet", "alpha": 1.0, "include_top": True, "classes": 1000},
             67, ["conv_pw_13_relu", "conv_preds", "reshape_2"],
             adjust=lambda l: mobilenet_top(l, 1000)),
    zoo_case("resnet50_top_197", "resnet50_keras_applications.json",
             {"architecture": "resnet50", "include_top": True, "classes": 1000},
             197, ["avg_pool", "fc1000"],
             adjust=lambda l: truncate(l, "fc1000"), batch=1, params=RESIDUAL_PARAMS),
    zoo_case("inception_v3_top_79", "inception_v3.json",
             {"architecture": "inception_v3", "include_top": True, "classes": 1000},
             79, ["mixed2", "mixed10", "predictions"],
             adjust=lambda l: truncate(l, "predictions")),
    zoo_case("xception_top_73", "xception_keras1.json",
             {"architecture": "xception", "include_top": True, "classes": 1000},
             73, ["block13_pool", "avg_pool", "predictions"],
             adjust=xception_keras1_fixes, params=RESIDUAL_PARAMS),
    ported_case("resnet152_top_35", {"architecture": "resnet152", "include_top": True,
                                     "classes": 1000},
                35, resnet152, ["conv3_block8_out", "conv5_block3_out", "predictions"],
                params=RESIDUAL_PARAMS),
    ported_case("resnet101v2_notop_avg_41", {"architecture": "resnet101v2", "include_top": False,
                                             "pooling": "avg"},
                41, lambda s: resnet101v2(s, include_top=False, pooling="avg"),
                ["conv2_block3_out", "conv4_block23_out", "post_relu", "avg_pool"],
                params=RESIDUAL_PARAMS),
    ported_case("densenet121_top_45", {"architecture": "densenet121", "include_top": True,
                                       "classes": 1000},
                45, lambda s: densenet(s, [6, 12, 24, 16]),
                ["pool2_pool", "conv4_block24_concat", "relu", "predictions"]),
    ported_case("mobilenetv2_0_35_top_67", {"architecture": "mobilenetv2", "alpha": 0.35,
                                            "include_top": True, "classes": 1000},
                67, lambda s: mobilenet_v2(s, 0.35),
                ["block_2_add", "block_3_depthwise_relu", "block_13_depthwise_relu",
                 "block_16_project_BN", "predictions"],
                batch=2),
    ported_case("mobilenetv2_1_3_notop_avg_64", {"architecture": "mobilenetv2", "alpha": 1.3,
                                                 "include_top": False, "pooling": "avg"},
                64, lambda s: mobilenet_v2(s, 1.3, include_top=False, pooling="avg"),
                ["block_16_project_BN", "global_average_pooling2d"]),
    ported_case("inceptionresnetv2_top_75", {"architecture": "inceptionresnetv2",
                                             "include_top": True, "classes": 1000},
                75, inception_resnet_v2,
                ["mixed_5b", "block35_10_ac", "mixed_6a", "block17_20_ac", "mixed_7a",
                 "custom_scale_layer_39", "conv_7b_ac", "predictions"]),
    ported_case("mobilenetv3large_top_67", {"architecture": "mobilenetv3large", "include_top": True,
                                            "classes": 1000},
                67, lambda s: mobilenet_v3(s, "large"),
                ["expanded_conv_1_depthwise_pad", "expanded_conv_3_squeeze_excite_mul",
                 "expanded_conv_5_add", "expanded_conv_9_add", "expanded_conv_14_add",
                 "conv_1_bn", "logits", "predictions"],
                params=MOBILENET_V3_PARAMS, batch=2, pixels=(0.0, 255.0)),
    ported_case("mobilenetv3small_0_75_notop_avg_63",
                {"architecture": "mobilenetv3small", "alpha": 0.75, "include_top": False,
                 "pooling": "avg", "include_preprocessing": False},
                63, lambda s: mobilenet_v3(s, "small", 0.75, include_top=False, pooling="avg",
                                           include_preprocessing=False),
                ["expanded_conv_squeeze_excite_mul", "expanded_conv_2_add",
                 "expanded_conv_10_add", "avg_pool"]),
    ported_case("mobilenetv3small_minimalistic_top_48",
                {"architecture": "mobilenetv3small", "minimalistic": True, "include_top": True,
                 "classes": 1000, "dropout_rate": 0.0},
                48, lambda s: mobilenet_v3(s, "small", minimalistic=True, dropout_rate=0.0),
                ["expanded_conv_2_add", "expanded_conv_10_add", "logits", "predictions"],
                params=MOBILENET_V3_PARAMS, pixels=(0.0, 255.0)),
    # ConvNeXt: Tiny with the top on pixels 0..255 (its Normalization), Base without the top
    # or preprocessing and without pooling (the last LayerNormalization on the 1x1 map), at
    # small sizes (35: the 4x4 stride-4 stem drops the odd pixels).
    ported_case("convnexttiny_top_32", {"architecture": "convnexttiny", "include_top": True,
                                        "classes": 1000},
                32, lambda s: convnext(s, [3, 3, 9, 3], [96, 192, 384, 768], "convnext_tiny"),
                ["convnext_tiny_prestem_normalization", "convnext_tiny_stem_layernorm",
                 "convnext_tiny_stage_0_block_0_gelu", "add_2", "convnext_tiny_downsampling_conv_0",
                 "add_14", "convnext_tiny_head_layernorm", "convnext_tiny_head_dense"],
                batch=2, pixels=(0.0, 255.0)),
    ported_case("convnextbase_notop_35", {"architecture": "convnextbase", "include_top": False,
                                          "include_preprocessing": False},
                35, lambda s: convnext(s, [3, 3, 27, 3], [128, 256, 512, 1024], "convnext_base",
                                       include_top=False, include_preprocessing=False),
                ["convnext_base_stage_1_block_2_layer_scale", "add_32", "layer_normalization"]),
    # NASNet: Mobile with the top at 35 px (odd and even maps: correct_pad's both forms),
    # Large without the top at 32 px (skip_reduction); adjust_block's both branches.
    ported_case("nasnetmobile_top_35", {"architecture": "nasnetmobile", "include_top": True,
                                        "classes": 1000},
                35, nasnet_mobile,
                ["reduction_concat_stem_1", "adjust_bn_stem_2", "normal_concat_0",
                 "reduction_concat_reduce_4", "normal_concat_8", "normal_concat_12",
                 "predictions"],
                params=NASNET_PARAMS, batch=2),
    ported_case("nasnetlarge_notop_avg_32", {"architecture": "nasnetlarge", "include_top": False,
                                             "pooling": "avg"},
                32, lambda s: nasnet_large(s, include_top=False, pooling="avg"),
                ["reduction_concat_stem_2", "normal_concat_5", "reduction_concat_reduce_12",
                 "normal_concat_18", "global_average_pooling2d"],
                params=NASNET_PARAMS),
    ported_case("efficientnetb0_top_35", {"architecture": "efficientnetb0", "include_top": True,
                                          "classes": 1000},
                35, lambda s: efficientnet(s, 1.0, 1.0, 0.2),
                ["rescaling_1", "stem_activation", "block1a_se_excite", "block2b_add",
                 "block3a_dwconv_pad", "block6d_add", "top_activation", "predictions"],
                params=EFFICIENTNET_PARAMS, batch=2, pixels=(0.0, 255.0)),
    ported_case("efficientnetb3_notop_max_42",
                {"architecture": "efficientnetb3", "include_top": False, "pooling": "max"},
                42, lambda s: efficientnet(s, 1.2, 1.4, 0.3, include_top=False, pooling="max"),
                ["block1b_add", "block4e_add", "block7b_add", "max_pool"],
                params=EFFICIENTNET_PARAMS, pixels=(0.0, 255.0)),
    ported_case("efficientnetv2b1_top_37", {"architecture": "efficientnetv2b1", "include_top": True,
                                            "classes": 1000},
                37, lambda s: efficientnet_v2(s, "b1", 1.0, 1.1),
                ["normalization", "block1b_add", "block2c_add", "block4a_se_excite",
                 "block6i_add", "top_activation", "predictions"],
                params=EFFICIENTNET_PARAMS, batch=2, pixels=(0.0, 255.0)),
    ported_case("efficientnetv2s_notop_avg_34",
                {"architecture": "efficientnetv2s", "include_top": False, "pooling": "avg"},
                34, lambda s: efficientnet_v2(s, "s", 1.0, 1.0, include_top=False, pooling="avg"),
                ["block1b_add", "block3d_add", "block5i_add", "block6o_add", "avg_pool"],
                params=EFFICIENTNET_PARAMS, pixels=(0.0, 255.0)),
    fixture_case("vww_96", "keras/vww_96.h5", 96, ["activation_26", "dense"]),
    fixture_case("pretrained_resnet_32", "keras/pretrainedResnet.h5", 32,
                 ["activation_6", "flatten", "dense"]),
    keras3_archive_case("k3_mnist_keras", "keras3/k3_mnist_cnn_dropout__keras3.1.1.keras", 28,
                        ["max_pooling2d_1", "dense"], channels=1),
    fixture_case("k3_mnist_legacy_h5", "keras3/k3legacyh5_mnist_cnn_dropout__keras3.1.1.h5", 28,
                 ["max_pooling2d_1", "dense"], channels=1),
    nested_fixture_case("teachable_mobilenetv2_224",
                        "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5", 224,
                        ["block_3_project_BN", "out_relu", "dense_Dense2"]),
]


def encode(a):
    a = np.ascontiguousarray(a, dtype="<f4")
    return {"shape": list(a.shape), "float32_base64": base64.b64encode(a.tobytes()).decode()}


def make(case):
    layers, weights, params = case["build"]()
    batch, size = case["batch"], case["size"]
    lo, hi = case["input"]
    channels = case.get("channels", 3)
    x = formula_tensor("input", 0, (batch, size, size, channels), lo, hi).astype(np.float64)
    output = layers[-1][0]
    keep = set(case["probes"]) | {output}
    _, kept = run_model(layers, x, weights, keep)
    missing = keep - set(kept)
    assert not missing, missing
    doc = {
        "case": case["name"],
        "generator": "tests/runtime/reference/make_reference.py",
        "output": output,
        "input": {"shape": [batch, size, size, channels], "range": [lo, hi], "formula": "input"},
        "outputs": {k: encode(kept[k]) for k in case["probes"] + ([output] if output not in case["probes"] else [])},
    }
    if "zoo" in case:
        doc["zoo"] = case["zoo"]
        doc["weights"] = {"formula": params}
    else:
        doc["fixture"] = case["fixture"]
        doc["weights"] = "fixture"
    for k, v in kept.items():
        print(f"  {k}: shape {v.shape}, mean |x| {np.abs(v).mean():.4g}, max |x| {np.abs(v).max():.4g}")
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, case["name"] + ".json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def main(argv):
    wanted = set(argv[1:])
    for case in CASES:
        if wanted and case["name"] not in wanted:
            continue
        print(case["name"])
        make(case)


if __name__ == "__main__":
    main(sys.argv)
