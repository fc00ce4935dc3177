"""PyTorch reference for `npm run bench`: one thread, same cells, timed inside Python.

Reads a JSON request on argv[1]: {"cells": [[in, hidden, out, batch], ...], "seconds": s, "reps": r,
"clock": "wall" | "cpu", "device": "cpu" | "cuda"}, where hidden is a width or a list of widths,
and prints one JSON line: {"torch": "<version>", "blas": "<library>", "cells": [{"model": ..., "batch": ..., "samples_per_s": ...}]},
or {"error": "..."} when the device asked for is not there. On CUDA every timing waits for the
device (torch.cuda.synchronize) before reading the clock.
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)


def measure(n_in, hidden, n_out, batch, seconds, reps, clock, device="cpu"):
    widths = hidden if isinstance(hidden, list) else [hidden]
    layers = []
    prev = n_in
    for w in widths:
        layers += [torch.nn.Linear(prev, w), torch.nn.ReLU()]
        prev = w
    model = torch.nn.Sequential(*layers, torch.nn.Linear(prev, n_out)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    # A few pre-made batches so data generation stays outside the timed loop.
    xs = [torch.randn(batch, n_in, device=device) for _ in range(4)]
    ys = [torch.randint(0, n_out, (batch,), device=device) for _ in range(4)]
    if device == "cuda":
        timer = clock

        def clock():
            torch.cuda.synchronize()
            return timer()

    def step(i):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[i & 3]), ys[i & 3])
        loss.backward()
        opt.step()

    # Warm-up, and a step count sized so one repetition lasts about `seconds`.
    t0 = clock()
    n = 0
    while clock() - t0 < seconds / 2:
        step(n)
        n += 1
    per_step = (clock() - t0) / n
    steps = max(3, int(seconds / per_step))
    rates = []
    for _ in range(reps):
        t0 = clock()
        for i in range(steps):
            step(i)
        rates.append(steps * batch / (clock() - t0))
    rates.sort()
    return rates[len(rates) // 2]


def blas_library():
    """The BLAS shared library actually loaded: Debian's torch links whichever libblas.so.3 the
    alternatives system points at (reference BLAS, OpenBLAS, ...), and that decides its speed."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "blas" in path.rsplit("/", 1)[-1] or "mkl" in path:
                    return path
    except OSError:
        pass
    return "unknown"


def main():
    req = json.loads(sys.argv[1])
    device = req.get("device", "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        print(json.dumps({"error": f"torch {torch.__version__} sees no CUDA device"}))
        return
    out = []
    for n_in, hidden, n_out, batch in req["cells"]:
        clock = time.process_time if req.get("clock") == "cpu" else time.perf_counter
        sps = measure(n_in, hidden, n_out, batch, req["seconds"], req["reps"], clock, device)
        widths = hidden if isinstance(hidden, list) else [hidden]
        name = "-".join(str(v) for v in [n_in, *widths, n_out])
        out.append({"model": name, "batch": batch, "samples_per_s": sps})
    print(json.dumps({"torch": torch.__version__, "blas": blas_library(), "cells": out}))


if __name__ == "__main__":
    main()
