#!/usr/bin/python3
"""Julep v1's evaluation of one string value, as a judge for secretref's tests.

Our own script. It applies the rules Julep's agents-api follows (common/utils/task_validation.py
`backwards_compatibility`, common/utils/expressions.py `_recursive_evaluate`, evaluator.py
`get_evaluator`), with the simpleeval that Debian ships (package python3-simpleeval):

1. the string is stripped (Python's str.strip);
2. a string starting with `$ ` is a Python expression: everything after the `$`, stripped;
3. else a string containing `{{` becomes `$ f'''…'''` with `{{` -> `{` and `}}` -> `}`;
4. else a string that starts with `[` and ends with `]`, starts with `_[` and ends with `]`,
   starts with `_.`, contains `outputs[` or `inputs[`, or is exactly `_` is an expression too;
5. every other string is evaluated as the f-string f'''…'''.

Names in scope: `secrets` (a dict, as Julep builds it from the developer's secrets), the runtime
context the request gives, and Julep's constants (NEWLINE, true, false, null); functions: the
builtins of Julep's ALLOWED_FUNCTIONS that need no third-party module.

Protocol: one JSON object per line on stdin, one per line on stdout, in order.
  -> {"id": 1, "string": "...", "secrets": {"name": "value"}, "context": {...} | "permissive" | null}
  <- {"id": 1, "ok": true, "value": <canonical value>}  |  {"id": 1, "ok": false, "error": "KeyError"}
The first line written is {"ready": true} (or {"fatal": "..."} and exit status 3).
Errors carry the exception's class only: a message could quote a secret value.
"""
import json
import sys
import warnings

try:
    import simpleeval
    from simpleeval import EvalWithCompoundTypes
except ImportError:
    sys.stdout.write(json.dumps({"fatal": "simpleeval is not installed for /usr/bin/python3: apt-get install -y python3-simpleeval"}) + "\n")
    sys.stdout.flush()
    sys.exit(3)

# Julep raises simpleeval's string bound (common/utils/expressions.py).
simpleeval.MAX_STRING_LENGTH = 2048000
warnings.simplefilter("ignore")


def backwards_compatibility(expr):
    expr = expr.strip()
    if expr.startswith("$ "):
        return expr
    if "{{" in expr:
        return "$ f'''" + expr.replace("{{", "{").replace("}}", "}") + "'''"
    if (
        (expr.startswith("[") and expr.endswith("]"))
        or (expr.startswith("_[") and expr.endswith("]"))
        or expr.startswith("_.")
        or "outputs[" in expr
        or "inputs[" in expr
        or expr == "_"
    ):
        return "$ " + expr
    return expr


def python_source(value):
    """The Python source Julep hands to simpleeval for `value`."""
    expr = backwards_compatibility(value).strip()
    if expr.startswith("$ "):
        return expr[1:].strip()
    return f"f'''{expr}'''"


class Sample:
    """A stand-in for any runtime value (`_`, `steps`, `agent`…) when the caller has no real ones:
    every attribute, item and call gives another Sample; it prints as the path that made it."""

    def __init__(self, path):
        self._path = path

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Sample(f"{self._path}.{name}")

    def __getitem__(self, key):
        return Sample(f"{self._path}[{key!r}]")

    def __call__(self, *args, **kwargs):
        return Sample(f"{self._path}()")

    def __str__(self):
        return self._path

    __repr__ = __str__

    def __len__(self):
        return 2

    def __iter__(self):
        return iter([Sample(f"{self._path}[0]"), Sample(f"{self._path}[1]")])

    def __contains__(self, item):
        return False

    def __bool__(self):
        return True

    def __hash__(self):
        return hash(self._path)

    def __eq__(self, other):
        return isinstance(other, Sample) and other._path == self._path

    def __lt__(self, other):
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __add__(self, other):
        return Sample(f"({self._path}+{other})")

    def __radd__(self, other):
        return Sample(f"({other}+{self._path})")

    def __format__(self, spec):
        return format(self._path, spec)


PERMISSIVE_NAMES = ("_", "inputs", "outputs", "steps", "state", "agent", "input", "output", "user", "session", "execution", "task", "workflow", "values", "x", "item")

FUNCTIONS = {
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "enumerate": enumerate,
    "float": float, "int": int, "len": len, "list": list, "map": map, "max": max, "min": min,
    "round": round, "set": set, "str": str, "sum": sum, "tuple": tuple, "zip": zip, "range": range,
    "load_json": json.loads, "dump_json": json.dumps,
}
CONSTANTS = {"NEWLINE": "\n", "true": True, "false": False, "null": None}


def evaluate(value, secrets, context):
    names = {}
    if context == "permissive":
        names.update({n: Sample(n) for n in PERMISSIVE_NAMES})
    elif isinstance(context, dict):
        names.update(context)
    names.update(CONSTANTS)
    names["secrets"] = dict(secrets)
    evaluator = EvalWithCompoundTypes(names=names, functions=dict(FUNCTIONS))
    return evaluator.eval(python_source(value))


def canon(x):
    """A JSON form that keeps Python types apart (1 vs '1' vs 1.0 vs (1,) vs [1])."""
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int):
        return {"int": str(x)}
    if isinstance(x, float):
        return {"float": repr(x)}
    if isinstance(x, Sample):
        return {"sample": x._path}
    if isinstance(x, tuple):
        return {"tuple": [canon(e) for e in x]}
    if isinstance(x, list):
        return {"list": [canon(e) for e in x]}
    if isinstance(x, dict):
        return {"dict": [[canon(k), canon(v)] for k, v in x.items()]}
    if isinstance(x, (set, frozenset)):
        return {"set": sorted(json.dumps(canon(e), sort_keys=True) for e in x)}
    return {"other": type(x).__name__}


def main():
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        if not line.strip():
            continue
        req = json.loads(line)
        reply = {"id": req.get("id")}
        try:
            result = evaluate(req["string"], req.get("secrets") or {}, req.get("context"))
            reply["ok"] = True
            reply["value"] = canon(result)
        except BaseException as e:  # noqa: BLE001 - every failure is an answer, never a crash
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            reply["ok"] = False
            reply["error"] = type(e).__name__
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
