"""Checks that a .keras archive Graft wrote has the layout real Keras 3 files have.

usage: keras_layout_check.py GRAFT.keras REFERENCE.keras [REFERENCE.keras ...]

The references are files Keras 3 itself wrote (../shared/fixtures/keras3). Compared: archive
members (names, order, stored not deflated), metadata.json's keys, the model's keys, each layer's
keys and config keys against a reference layer of the same class, the call records
(inbound_nodes) and keras tensors, and model.weights.h5: group names by Keras's own naming rule
(keras/src/utils/naming.py to_snake_case, a counter per class in layer order), every dataset
float32 under vars/0..n-1 and nothing else beside them. Prints one line per problem; exit 1 if any.
Only h5py, numpy, json and zipfile: no Keras needed.
"""
import io
import json
import re
import sys
import zipfile

import h5py

problems = []


def problem(text):
    problems.append(text)


def snake(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def dtype_keys(config):
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        return sorted(set(dtype) - {"shared_object_id"}) + sorted(dtype.get("config", {}))
    return type(dtype).__name__


def read(path):
    archive = zipfile.ZipFile(path)
    return archive, json.loads(archive.read("config.json"))


graft_zip, graft = read(sys.argv[1])
references = [read(p) for p in sys.argv[2:]]

# Archive members: the names and order Keras's saving_lib writes, none compressed.
want_members = ["metadata.json", "config.json", "model.weights.h5"]
got_members = [i.filename for i in graft_zip.infolist()]
if got_members != want_members:
    problem(f"members {got_members}, Keras writes {want_members}")
for ref_zip, _ in references:
    if [i.filename for i in ref_zip.infolist()] != want_members:
        problem("a reference archive has other members; the check itself is out of date")
for info in graft_zip.infolist():
    if info.compress_type != zipfile.ZIP_STORED:
        problem(f"{info.filename} is compressed ({info.compress_type}); Keras stores members")
meta = json.loads(graft_zip.read("metadata.json"))
# Keras's keys, plus "graft" (preprocessing and class names; Keras never reads metadata.json).
if sorted(meta) != ["date_saved", "graft", "keras_version"]:
    problem(f"metadata.json keys {sorted(meta)}")
if not isinstance(meta.get("graft"), dict) or "preprocessing" not in meta["graft"]:
    problem(f"metadata.json's graft {meta.get('graft')!r} has no preprocessing")
if not re.fullmatch(r"\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d", meta.get("date_saved", "")):
    problem(f"date_saved {meta.get('date_saved')!r} is not Keras's %Y-%m-%d@%H:%M:%S")

# The model object: the keys a reference model of the same class has (compile_config only when
# Keras compiled the model; Graft saves no optimizer or loss).
same_class = [c for _, c in references if c["class_name"] == graft["class_name"]]
if not same_class:
    problem(f"no reference model of class {graft['class_name']}")
for ref in same_class:
    if set(graft) != set(ref) - {"compile_config"}:
        problem(f"model keys {sorted(graft)}, Keras: {sorted(ref)}")
    if graft["module"] != ref["module"] or graft["registered_name"] != ref["registered_name"]:
        problem(f"model module/registered_name {graft['module']}/{graft['registered_name']}")
    want = set(ref["config"]) - {"layers"}
    if set(graft["config"]) - {"layers"} != want:
        problem(f"model config keys {sorted(graft['config'])}, Keras: {sorted(ref['config'])}")

# Layers: one reference layer per class, from the first reference that has it (the Keras 3.13
# file first). build_config is compared only against 3.13 (Keras 3.1 recorded it for more layer
# types); name and inbound_nodes belong to a Functional's layers only.
newest = references[0][1]
policy = next(l["config"]["dtype"] for l in newest["config"]["layers"]
              if isinstance(l["config"].get("dtype"), dict))
reference_layers = {}
for _, ref in references:
    for layer in ref["config"]["layers"]:
        if layer["module"] == "keras.layers":  # not the operations (keras.src.ops.numpy.Add)
            reference_layers.setdefault(layer["class_name"], (layer, ref))
functional = graft["class_name"] == "Functional"
compared = set()
for layer in graft["config"]["layers"]:
    cls = layer["class_name"]
    name = layer["config"].get("name")
    if layer.get("module") != "keras.layers" or "registered_name" not in layer:
        problem(f"{name}: module {layer.get('module')!r}, Keras: 'keras.layers' and registered_name")
    if functional:
        if not {"name", "inbound_nodes"} <= set(layer) or layer["name"] != name:
            problem(f"{name}: a Functional's layer needs name and inbound_nodes")
        for node in layer.get("inbound_nodes", []):
            if set(node) != {"args", "kwargs"}:
                problem(f"{name}: inbound node keys {sorted(node)}")
            args = node["args"]
            flat = args[0] if len(args) == 1 and isinstance(args[0], list) else args
            for tensor in flat:
                if tensor.get("class_name") != "__keras_tensor__" or set(tensor["config"]) != {
                        "shape", "dtype", "keras_history"}:
                    problem(f"{name}: argument {tensor} is not a Keras tensor")
    if cls not in ("InputLayer", "SpatialDropout2D") and dtype_keys(layer["config"]) != dtype_keys(
            {"dtype": policy}):
        problem(f"{name}: dtype {layer['config'].get('dtype')}, Keras 3.13: {policy}")
    if cls not in reference_layers:
        continue
    ref_layer, ref_model = reference_layers[cls]
    compared.add(cls)
    want = set(ref_layer) - {"name", "inbound_nodes"}
    got = set(layer) - {"name", "inbound_nodes"}
    if ref_model is not newest:
        want.discard("build_config")
        got.discard("build_config")
    if got != want:
        problem(f"{name} ({cls}): keys {sorted(layer)}, Keras: {sorted(ref_layer)}")
    if set(layer["config"]) != set(ref_layer["config"]):
        problem(f"{name} ({cls}): config keys differ from Keras's by "
                f"{sorted(set(layer['config']) ^ set(ref_layer['config']))}")
if not compared:
    problem("no layer class in common with the references: nothing compared")

# model.weights.h5: the groups Keras's saving_lib makes for these layers in this order.
h5 = h5py.File(io.BytesIO(graft_zip.read("model.weights.h5")), "r")
expected = {}
counters = {}
for layer in graft["config"]["layers"]:
    if graft["class_name"] == "Sequential" and layer["class_name"] == "InputLayer":
        continue  # Sequential.layers leaves its InputLayer out
    base = snake(layer["class_name"])
    count = counters.get(base, 0)
    counters[base] = count + 1
    expected["layers/" + (base if count == 0 else f"{base}_{count}")] = layer["config"]["name"]
if sorted(h5.keys()) != ["layers", "vars"]:
    problem(f"root members {sorted(h5.keys())}, Keras: ['layers', 'vars']")
if sorted("layers/" + k for k in h5["layers"].keys()) != sorted(expected):
    problem(f"layer groups {sorted(h5['layers'].keys())}, Keras would name {sorted(expected)}")
for path, layer_name in expected.items():
    if path not in h5 or "vars" not in h5[path] or list(h5[path].keys()) != ["vars"]:
        problem(f"{path}: Keras writes exactly one vars group there")
        continue
    group = h5[path]["vars"]
    attr = group.attrs.get("name")
    if isinstance(attr, bytes):
        attr = attr.decode()
    if attr != layer_name:
        problem(f"{path}/vars: attribute name {attr!r}, the layer is {layer_name!r}")
    names = list(group.keys())
    if sorted(names, key=int) != [str(i) for i in range(len(names))]:
        problem(f"{path}/vars holds {names}, Keras writes 0..n-1")
    for n in names:
        if group[n].dtype != "float32":
            problem(f"{path}/vars/{n} is {group[n].dtype}, Keras writes float32")

for line in problems:
    print(line)
print(f"checked {len(graft['config']['layers'])} layers, {len(compared)} classes against Keras's files")
sys.exit(1 if problems else 0)
