#!/usr/bin/env python3
"""Exact largest and smallest Hessian eigenvalues of trained OptLab networks, computed with
PyTorch and SciPy alone (no OptLab code): the independent reference of the Hessian analysis.

Input (argv[1]): JSON written by bench/reference/batch-size-hessian.ts, one entry per model:
  modules     the torch.nn.Sequential to build, in order: {"type": "linear", "in", "out"},
              {"type": "batchnorm", "features", "eps"}, {"type": "relu"|"tanh"|..., "slope"},
              {"type": "dropout", "p"}
  state_dict  name -> {"shape", "values"}: torch's layout (Linear weight [out, in])
  x, rows, d  the standardized training inputs (float32 values, row-major), y the class ids
Output (argv[2]): JSON with, per model, the loss and the extreme eigenvalues.

The loss is the mean cross-entropy (no label smoothing, no penalty) in eval mode (running
batch-norm statistics, dropout off), in float64. Hessian-vector products by double
backpropagation (torch.autograd.grad with create_graph=True); the extreme eigenvalues by
ARPACK's implicitly restarted Lanczos (scipy.sparse.linalg.eigsh, which='LA' and 'SA') on
that operator, to a relative tolerance of 1e-12.
"""
import json
import sys

import numpy as np
import scipy
import torch
from scipy.sparse.linalg import LinearOperator, eigsh

torch.set_default_dtype(torch.float64)
ACT = {
    "identity": lambda m: torch.nn.Identity(),
    "relu": lambda m: torch.nn.ReLU(),
    "tanh": lambda m: torch.nn.Tanh(),
    "sigmoid": lambda m: torch.nn.Sigmoid(),
    "gelu": lambda m: torch.nn.GELU(),
    "leaky_relu": lambda m: torch.nn.LeakyReLU(m["slope"]),
}


def build(modules):
    layers = []
    for m in modules:
        t = m["type"]
        if t == "linear":
            layers.append(torch.nn.Linear(m["in"], m["out"]))
        elif t == "batchnorm":
            layers.append(torch.nn.BatchNorm1d(m["features"], eps=m["eps"]))
        elif t == "dropout":
            layers.append(torch.nn.Dropout(m["p"]))
        else:
            layers.append(ACT[t](m))
    return torch.nn.Sequential(*layers)


def analyse(entry):
    model = build(entry["modules"])
    sd = {k: torch.tensor(v["values"]).reshape(v["shape"]) for k, v in entry["state_dict"].items()}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    model.eval()
    x = torch.tensor(entry["x"]).reshape(entry["rows"], entry["d"])
    y = torch.tensor(entry["y"], dtype=torch.long)
    params = [p for p in model.parameters()]
    n = sum(p.numel() for p in params)
    loss = torch.nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    flat = torch.cat([g.reshape(-1) for g in grads])

    def hvp(v):
        v = torch.from_numpy(np.asarray(v, dtype=np.float64).reshape(-1))
        hv = torch.autograd.grad(flat, params, grad_outputs=v, retain_graph=True)
        return torch.cat([h.reshape(-1) for h in hv]).numpy()

    op = LinearOperator((n, n), matvec=hvp, dtype=np.float64)
    v0 = np.ones(n) / np.sqrt(n)
    top = eigsh(op, k=1, which="LA", tol=1e-12, v0=v0, ncv=40)[0][0]
    low = eigsh(op, k=1, which="SA", tol=1e-12, v0=v0, ncv=40)[0][0]
    return {
        "key": entry["key"],
        "params": n,
        "loss": loss.item(),
        "gradientNorm": flat.detach().norm().item(),
        "lambdaMax": float(top),
        "lambdaMin": float(low),
    }


def main():
    src = json.load(open(sys.argv[1]))
    out = {
        "method": "PyTorch float64 double-backward Hessian-vector products; scipy.sparse.linalg.eigsh "
        "(ARPACK), which='LA' and 'SA', tol=1e-12, ncv=40",
        "versions": {"torch": torch.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
        "models": [],
    }
    for entry in src["models"]:
        r = analyse(entry)
        print(f"{r['key']}: λmax {r['lambdaMax']:.10g}  λmin {r['lambdaMin']:.6g}  loss {r['loss']:.6g}", file=sys.stderr)
        out["models"].append(r)
    json.dump(out, open(sys.argv[2], "w"), indent=1)


if __name__ == "__main__":
    main()
