#!/usr/bin/env python3
"""PyTorch's side of issue #23's speed comparison (tests/device/cuda_check.sh runs it).

Fine-tuning throughput in eager PyTorch on one device: every layer training, SGD with momentum,
cross-entropy on a new 3-class head, batch 32, the batch already on the device (so this is the
training step alone, the most PyTorch eager can do), for
  - ResNet50 at 224 px (Keras's architecture: stride in the first 1x1 convolution of a block,
    convolutions with bias), and
  - MobileNet (v1) alpha 0.25 at 128 px (Keras's architecture),
each in float32 and in bfloat16 autocast (float32 master weights), NCHW and channels-last,
plus the latency of predicting one image (eval mode, no_grad, softmax) in float32.
The networks are written here in plain torch.nn (no torchvision needed), with random weights.
Prints one line per measurement: RESULT key=value ...; --out FILE also writes them as JSON.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride, project):
        super().__init__()
        cout = width * 4
        self.c1 = nn.Conv2d(cin, width, 1, stride)
        self.b1 = nn.BatchNorm2d(width, eps=1.001e-5)
        self.c2 = nn.Conv2d(width, width, 3, 1, 1)
        self.b2 = nn.BatchNorm2d(width, eps=1.001e-5)
        self.c3 = nn.Conv2d(width, cout, 1)
        self.b3 = nn.BatchNorm2d(cout, eps=1.001e-5)
        self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride),
                                   nn.BatchNorm2d(cout, eps=1.001e-5)) if project else None

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = F.relu(self.b2(self.c2(y)))
        y = self.b3(self.c3(y))
        return F.relu(y + (self.short(x) if self.short is not None else x))


class ResNet50(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3), nn.BatchNorm2d(64, eps=1.001e-5),
                                  nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        blocks, cin = [], 64
        for width, count, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(count):
                blocks.append(Bottleneck(cin, width, stride if i == 0 else 1, i == 0))
                cin = width * 4
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def conv_bn(cin, cout, stride, groups=1, kernel=3):
    return [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout, eps=1e-3), nn.ReLU6()]


class MobileNet(nn.Module):
    def __init__(self, alpha, classes):
        super().__init__()
        c = lambda n: int(n * alpha)
        layers = conv_bn(3, c(32), 2)
        plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + \
               [(1024, 2), (1024, 1)]
        cin = c(32)
        for cout, stride in plan:
            layers += conv_bn(cin, cin, stride, groups=cin)          # depthwise
            layers += conv_bn(cin, c(cout), 1, kernel=1)              # pointwise
            cin = c(cout)
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.features(x)
        return self.head(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def train_rate(make, size, batch, precision, channels_last, device, seconds):
    torch.manual_seed(0)
    model = make().to(device)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, size, size, device=device).to(memory_format=fmt)
    y = torch.randint(0, 3, (batch,), device=device)
    dtype = torch.bfloat16 if precision == "bf16" else None

    def step():
        opt.zero_grad(set_to_none=True)
        if dtype is not None:
            with torch.autocast(device.type, dtype=dtype):
                loss = F.cross_entropy(model(x), y)
        else:
            loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(5):  # warm-up: cuDNN's algorithm choice, the allocator's pools
        step()
    sync(device)
    steps, t0 = 0, time.perf_counter()
    while True:
        for _ in range(5):
            step()
        steps += 5
        sync(device)
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return steps * batch / elapsed


def predict_latency_ms(make, size, device, repeats=50):
    torch.manual_seed(0)
    model = make().to(device).eval()
    x = torch.randn(1, 3, size, size, device=device)
    with torch.no_grad():
        for _ in range(10):
            torch.softmax(model(x), 1)
        sync(device)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            torch.softmax(model(x), 1).cpu()
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="cuda (default), cuda:N or cpu")
    parser.add_argument("--seconds", type=float, default=4.0, help="timed seconds per run")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--models", default="resnet50,mobilenet", help="resnet50,mobilenet")
    parser.add_argument("--precisions", default="fp32,bf16")
    parser.add_argument("--layouts", default="nchw,channels_last")
    parser.add_argument("--out", help="also write the results as JSON here")
    args = parser.parse_args()

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("SKIP torch reports no CUDA device; nothing measured")
        return 0
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        name = torch.cuda.get_device_name(device)
    else:
        name = "cpu (%d threads)" % torch.get_num_threads()
    print("torch %s, CUDA %s, device %s" % (torch.__version__, torch.version.cuda, name))

    models = {"resnet50": (lambda: ResNet50(3), 224), "mobilenet": (lambda: MobileNet(0.25, 3), 128)}
    results = []
    for key in args.models.split(","):
        make, size = models[key]
        for precision in args.precisions.split(","):
            for layout in args.layouts.split(","):
                try:
                    rate = train_rate(make, size, args.batch, precision, layout == "channels_last",
                                      device, args.seconds)
                except Exception as error:  # report and go on: one failure must not hide the rest
                    print("FAILED model=%s precision=%s layout=%s: %s" % (key, precision, layout, error))
                    continue
                result = dict(job="train", model=key, size=size, batch=args.batch,
                              precision=precision, layout=layout, images_per_s=round(rate, 1))
                results.append(result)
                print("RESULT " + " ".join("%s=%s" % kv for kv in result.items()), flush=True)
        latency = predict_latency_ms(make, size, device)
        result = dict(job="predict1", model=key, size=size, precision="fp32", median_ms=round(latency, 3))
        results.append(result)
        print("RESULT " + " ".join("%s=%s" % kv for kv in result.items()), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(dict(torch=torch.__version__, device=name, results=results), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
