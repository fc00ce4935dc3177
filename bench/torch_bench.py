"""PyTorch reference for `npm run bench`: one thread, same cells, timed inside Python.

Reads a JSON request on argv[1]: {"cells": [[in, hidden, out, batch], ...], "seconds": s, "reps": r,
"clock": "wall" | "cpu"}
and prints one JSON line: {"torch": "<version>", "blas": "<library>", "cells": [{"model": ..., "batch": ..., "samples_per_s": ...}]}.
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)


def measure(n_in, hidden, n_out, batch, seconds, reps, clock):
    model = torch.nn.Sequential(
        torch.nn.Linear(n_in, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, n_out)
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    # A few pre-made batches so data generation stays outside the timed loop.
    xs = [torch.randn(batch, n_in) for _ in range(4)]
    ys = [torch.randint(0, n_out, (batch,)) for _ in range(4)]

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
    out = []
    for n_in, hidden, n_out, batch in req["cells"]:
        clock = time.process_time if req.get("clock") == "cpu" else time.perf_counter
        sps = measure(n_in, hidden, n_out, batch, req["seconds"], req["reps"], clock)
        out.append({"model": f"{n_in}-{hidden}-{n_out}", "batch": batch, "samples_per_s": sps})
    print(json.dumps({"torch": torch.__version__, "blas": blas_library(), "cells": out}))


if __name__ == "__main__":
    main()
