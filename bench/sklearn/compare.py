#!/usr/bin/python3
"""
scikit-learn's side of the issue-4 acceptance check: 10-fold stratified cross-validation
accuracy of logistic regression and of a one-hidden-layer MLP on the four bundled data sets,
read from the same CSV files OptLab reads (shared/data/bundled/).

    /usr/bin/python3 bench/sklearn/compare.py [--hidden 100] [--seed 0] [--folds FOLDS.json]

Prints one JSON object on stdout:
    {"sklearn": "1.2.1", "numpy": "...", "protocol": {...},
     "results": [{"dataset": "iris", "model": "logistic", "mean": ..., "std": ..., "values": [...],
                  "n_iter": {"mean": ..., "min": ..., "max": ...}}, ...]}

With `--folds` (the output of bench/sklearn/folds.ts), each result also has `optlab_folds`:
the same estimator scored on OptLab's own folds, and for logistic regression the optimum of
the penalized training objective per fold, mean log-loss + (l2/2)·||W||^2 at the l2 of the
OptLab spec (C = 1/(l2·n_train) for that fold: one l2 per experiment cannot equal 1/(C·n_train)
for every fold size), which an OptLab run has converged when its final train_loss + penalty reaches.

`std` is the sample standard deviation over the folds (ddof=1), OptLab's convention, so the
two columns of the comparison table mean the same thing. `n_iter` is the epochs (MLP) or
L-BFGS iterations (logistic) each fold's fit ran: an MLP that stopped well before max_iter
did so on scikit-learn's `tol` rule, which OptLab does not have.
"""
import argparse
import csv
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

DATASETS = ["iris", "wine", "breast_cancer", "digits"]
HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLED = os.path.join(HERE, "..", "..", "shared", "data", "bundled")


def load(name):
    with open(os.path.join(BUNDLED, f"{name}.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[-1] == "target", f"{name}: last column is {header[-1]!r}, expected 'target'"
    x = np.array([[float(v) for v in r[:-1]] for r in body], dtype=np.float64)
    y = np.array([int(r[-1]) for r in body], dtype=np.int64)
    return x, y


def models(hidden, seed):
    return {
        # lbfgs reaches its tolerance in 20 to ~100 iterations on these sets (n_iter in the output);
        # the large cap only makes sure no fold is scored half-fitted.
        "logistic": Pipeline([
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(C=1.0, max_iter=10000)),
        ]),
        "mlp": Pipeline([
            ("scale", StandardScaler()),
            ("clf", MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", solver="adam",
                                  learning_rate_init=1e-3, alpha=1e-4, batch_size="auto",
                                  max_iter=200, random_state=seed)),
        ]),
    }


def objective(pipe, x, y, c):
    """scikit-learn's LogisticRegression objective divided by C·n: the mean log-loss plus the L2 term."""
    clf = pipe.named_steps["clf"]
    p = pipe.predict_proba(x)
    return float(log_loss(y, p, labels=clf.classes_) + 0.5 * np.sum(clf.coef_ ** 2) / (c * len(y)))


def on_folds(est, x, y, folds, model, l2):
    acc, obj = [], []
    for f in folds:
        tr, te = np.array(f["train"]), np.array(f["test"])
        e = clone(est).fit(x[tr], y[tr])
        acc.append(float(np.mean(e.predict(x[te]) == y[te])))
        if model == "logistic" and l2:
            c = 1.0 / (l2 * len(tr))
            # A tighter tolerance than the default: this optimum is the yardstick of convergence.
            o = clone(est).set_params(clf__C=c, clf__tol=1e-10).fit(x[tr], y[tr])
            obj.append(objective(o, x[tr], y[tr], c))
    out = {"mean": float(np.mean(acc)), "std": float(np.std(acc, ddof=1)), "values": acc}
    if obj:
        out["objective"] = {"mean": float(np.mean(obj)), "values": obj}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0, help="MLP random_state")
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--folds", help="JSON from bench/sklearn/folds.ts: also score on OptLab's folds")
    args = ap.parse_args()
    given = json.load(open(args.folds)) if args.folds else {"folds": {}, "l2": {}}
    folds, l2 = given["folds"], given["l2"]

    cv = StratifiedKFold(n_splits=10, shuffle=True, random_state=0)
    out = []
    for name in args.datasets.split(","):
        x, y = load(name)
        for model, est in models(args.hidden, args.seed).items():
            with warnings.catch_warnings():
                # max_iter=200 is the protocol, not a mistake: the MLP's "not converged" warning is expected.
                warnings.simplefilter("ignore", ConvergenceWarning)
                r = cross_validate(est, x, y, cv=cv, scoring="accuracy", return_estimator=True, n_jobs=1)
                extra = on_folds(est, x, y, folds[name], model, l2.get(f"{name}-{model}")) if name in folds else None
            acc = r["test_score"]
            iters = [int(np.max(e.named_steps["clf"].n_iter_)) for e in r["estimator"]]
            out.append({
                "dataset": name, "model": model,
                "mean": float(np.mean(acc)), "std": float(np.std(acc, ddof=1)),
                "values": [float(v) for v in acc],
                "fit_seconds": float(np.sum(r["fit_time"])),
                "n_iter": {"mean": float(np.mean(iters)), "min": min(iters), "max": max(iters)},
            })
            if extra:
                out[-1]["optlab_folds"] = extra
            print(f"{name:14s} {model:8s} {np.mean(acc):.4f} ± {np.std(acc, ddof=1):.4f}  iters {min(iters)}..{max(iters)}", file=sys.stderr)
    json.dump({
        "sklearn": sklearn.__version__, "numpy": np.__version__,
        "protocol": {"cv": "StratifiedKFold(n_splits=10, shuffle=True, random_state=0)", "hidden": args.hidden, "mlp_random_state": args.seed},
        "results": out,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
