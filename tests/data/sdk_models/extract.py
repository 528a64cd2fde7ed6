"""Top-level fields of Stripe's v1 billing objects, per API version.

Each stripe-python release pins exactly one API version
(``stripe/_api_version.py``, ``_ApiVersion.CURRENT``) and ships models
generated from Stripe's OpenAPI document for that version.  This script
downloads the given stripe-python wheels (``pip download --no-deps`` into a
temporary directory), reads the model classes with the ``ast`` module (the
annotated assignments of each class body; nothing is imported or executed)
and writes one ``<api_version>.json`` per wheel next to this file:

    {"api_version": "2025-03-31.basil", "sdk": "stripe-python 12.0.0",
     "objects": {"invoice": {"fields": [...], "optional": [...],
                             "nested": {"parent": [...], ...}}, ...}}

``fields`` are the attribute names the SDK declares on the object (sorted);
``optional`` the subset typed ``Optional[...]`` (nullable or absent on the
wire); ``nested`` the attribute names of selected sub-objects of invoice,
line_item and invoiceitem: ``parent``, ``pricing``, ``taxes``,
``total_taxes`` (each with its ``*_details`` sub-objects, recursively), the
pre-basil forerunners ``tax_amounts`` and ``total_tax_amounts``,
``status_transitions`` and ``period``; keyed by dotted path
(``parent.subscription_item_details.proration_details``), present only where
the SDK has them.  A list-typed field (``taxes``) records its element's
attributes.  ``deleted`` is listed wherever the SDK declares it: the SDK
models the ``{"id", "object", "deleted": true}`` form on the same class.

Rerun (standard library plus the ``pip`` client, which needs access to
PyPI; the JSON files land beside this script unless ``--out`` says else):

    python3 tests/data/sdk_models/extract.py            # the default pins below
    python3 tests/data/sdk_models/extract.py 12.0.0 stripe==13.0.1
    python3 tests/data/sdk_models/extract.py --out /tmp/x 16.1.0

``versions.json`` beside this file lists every API version some SDK build
pins, oldest first (a GA version before the previews of the same date), with
the newest stripe-python and stripe-node release pinning it (``null`` where
no release of that SDK does).  GA rows name final releases only (acacia-era
betas also pin GA versions); preview and private rows name the newest
pre-release.  It was compiled from ``_ApiVersion.CURRENT`` of every
stripe-python build from 7.0 on and ``ApiVersion`` in ``cjs/apiVersion.js``
of every stripe-node build from 14.0 on; this script does not rewrite it.
``DEFAULT_PINS`` is its GA python column from 2024-09-30.acacia on, plus
7.14.1 for 2023-10-16.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# The newest stripe-python release pinning each GA API version from
# 2024-09-30.acacia on (see versions.json), and the newest 7.x release for
# 2023-10-16 (the 8.x line pins 2023-10-16 too; 8.11.1 is its newest).
DEFAULT_PINS = [
    "7.14.1",  # 2023-10-16
    "11.1.1",  # 2024-09-30.acacia
    "11.2.0",  # 2024-10-28.acacia
    "11.3.0",  # 2024-11-20.acacia
    "11.4.1",  # 2024-12-18.acacia
    "11.5.0",  # 2025-01-27.acacia
    "11.6.1",  # 2025-02-24.acacia
    "12.0.1",  # 2025-03-31.basil
    "12.1.0",  # 2025-04-30.basil
    "12.2.0",  # 2025-05-28.basil
    "12.3.0",  # 2025-06-30.basil
    "12.4.0",  # 2025-07-30.basil
    "12.5.2",  # 2025-08-27.basil
    "13.0.1",  # 2025-09-30.clover
    "13.2.1",  # 2025-10-29.clover
    "14.0.1",  # 2025-11-17.clover
    "14.2.0",  # 2025-12-15.clover
    "14.3.0",  # 2026-01-28.clover
    "14.4.2",  # 2026-02-25.clover
    "15.0.1",  # 2026-03-25.dahlia
    "15.1.0",  # 2026-04-22.dahlia
    "15.2.1",  # 2026-05-27.dahlia
    "15.3.1",  # 2026-06-24.dahlia
    "15.5.1",  # 2026-07-29.dahlia
    "15.6.2",  # 2026-08-26.dahlia
    "16.0.1",  # 2026-09-30.endive
    "16.1.0",  # 2026-10-28.endive
]

# (Stripe `object` value, module under stripe/, class name)
OBJECTS = [
    ("invoice", "_invoice.py", "Invoice"),
    ("line_item", "_invoice_line_item.py", "InvoiceLineItem"),
    ("invoiceitem", "_invoice_item.py", "InvoiceItem"),
    ("customer", "_customer.py", "Customer"),
    ("product", "_product.py", "Product"),
    ("price", "_price.py", "Price"),
    ("coupon", "_coupon.py", "Coupon"),
    ("payment_intent", "_payment_intent.py", "PaymentIntent"),
    ("discount", "_discount.py", "Discount"),
]

# Sub-objects recorded under "nested" for these objects.
NESTED_OBJECTS = {"invoice", "line_item", "invoiceitem"}
NESTED_FIELDS = [
    "parent",
    "pricing",
    "taxes",
    "total_taxes",
    "tax_amounts",  # before 2025-03-31.basil: what `taxes` replaced
    "total_tax_amounts",  # before 2025-03-31.basil: what `total_taxes` replaced
    "status_transitions",
    "period",
]
# Below these, every `*_details` sub-object is recorded too (recursively).
DETAILS_UNDER = {"parent", "pricing", "taxes", "total_taxes"}


def _annotation(node: ast.expr) -> ast.expr:
    """The annotation as an expression, with a quoted one parsed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ast.parse(node.value, mode="eval").body
    return node


def _is_optional(node: ast.expr) -> bool:
    node = _annotation(node)
    if isinstance(node, ast.Subscript):
        head = node.value
        name = head.id if isinstance(head, ast.Name) else getattr(head, "attr", "")
        if name == "Optional":
            return True
        if name == "Union":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return any(isinstance(e, ast.Constant) and e.value is None for e in elts)
    return False


def _referenced_names(node: ast.expr) -> list[str]:
    """Every identifier an annotation mentions (last part of dotted ones)."""
    names = []
    for sub in ast.walk(_annotation(node)):
        if isinstance(sub, ast.Name):
            names.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.append(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            try:
                names.extend(_referenced_names(sub))
            except SyntaxError:
                pass
    return names


class Model:
    """One class body: its fields and its nested classes."""

    def __init__(self, cls: ast.ClassDef, parents: tuple["Model", ...] = ()):
        self.name = cls.name
        self.parents = parents
        self.classes = {}
        self.fields = {}  # wire name -> annotation
        remap = {}
        for stmt in cls.body:
            if isinstance(stmt, ast.ClassDef):
                self.classes[stmt.name] = stmt
            elif isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_field_remappings"
                for t in stmt.targets
            ):
                remap = ast.literal_eval(stmt.value)
        for stmt in cls.body:
            if not (
                isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
            ):
                continue
            if "ClassVar" in _referenced_names(stmt.annotation):
                continue  # OBJECT_NAME and the like: not fields
            name = stmt.target.id
            if name.startswith("_"):
                continue
            self.fields[remap.get(name, name)] = stmt.annotation

    def optional(self) -> list[str]:
        return sorted(n for n, a in self.fields.items() if _is_optional(a))

    def sub_model(self, field: str) -> "Model | None":
        """The nested class a field is typed with, if any."""
        annotation = self.fields.get(field)
        if annotation is None:
            return None
        for name in _referenced_names(annotation):
            scope = self
            while scope is not None:
                if name in scope.classes:
                    return Model(scope.classes[name], scope.parents + (scope,))
                scope = scope.parents[-1] if scope.parents else None
        return None


def _find_class(tree: ast.Module, name: str) -> ast.ClassDef:
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == name:
            return stmt
    raise LookupError(f"class {name} not found")


def _module_source(wheel: zipfile.ZipFile, module: str) -> str:
    # stripe-python 8+ (and late 7.x) keep models in stripe/_x.py; early 7.x
    # in stripe/api_resources/x.py.
    for path in (f"stripe/{module}", f"stripe/api_resources/{module.lstrip('_')}"):
        try:
            return wheel.read(path).decode("utf-8")
        except KeyError:
            continue
    raise LookupError(f"{module} not in wheel")


def api_version(wheel: zipfile.ZipFile) -> str:
    try:
        source = wheel.read("stripe/_api_version.py")
    except KeyError:  # stripe-python 7.0 to 7.8
        source = wheel.read("stripe/api_version.py")
    tree = ast.parse(source.decode("utf-8"))
    cls = _find_class(tree, "_ApiVersion")
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == "CURRENT"
        ):
            return ast.literal_eval(stmt.value)
    raise LookupError("_ApiVersion.CURRENT not found")


def _nested(model: Model) -> dict[str, list[str]]:
    out = {}

    def walk(path: str, sub: Model, details: bool) -> None:
        out[path] = sorted(sub.fields)
        if not details:
            return
        for field in sorted(sub.fields):
            if field.endswith("_details"):
                deeper = sub.sub_model(field)
                if deeper is not None:
                    walk(f"{path}.{field}", deeper, True)

    for field in NESTED_FIELDS:
        sub = model.sub_model(field)
        if sub is not None:
            walk(field, sub, field in DETAILS_UNDER)
    return out


def extract(wheel_path: Path) -> dict:
    with zipfile.ZipFile(wheel_path) as wheel:
        version = api_version(wheel)
        sdk_version = wheel_path.name.split("-")[1]
        objects = {}
        for object_name, module, class_name in OBJECTS:
            tree = ast.parse(_module_source(wheel, module))
            model = Model(_find_class(tree, class_name))
            literal = model.fields.get("object")
            if literal is not None and object_name not in _referenced_names(literal):
                raise ValueError(f"{class_name}.object is not {object_name!r}")
            objects[object_name] = {
                "fields": sorted(model.fields),
                "optional": model.optional(),
                "nested": _nested(model) if object_name in NESTED_OBJECTS else {},
            }
    return {
        "api_version": version,
        "sdk": f"stripe-python {sdk_version}",
        "objects": objects,
    }


def download(pin: str, dest: Path) -> Path:
    requirement = pin if pin.startswith("stripe") else f"stripe=={pin}"
    before = set(dest.glob("stripe-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "download", requirement, "--no-deps",
         "--pre", "--only-binary=:all:", "--quiet", "--dest", str(dest)],
        check=True,
    )
    wanted = requirement.split("==", 1)[1]
    for wheel in dest.glob("stripe-*.whl"):
        if wheel.name.split("-")[1] == wanted:
            return wheel
    new = set(dest.glob("stripe-*.whl")) - before
    if len(new) == 1:
        return new.pop()
    raise FileNotFoundError(f"no wheel for {requirement} in {dest}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pins", nargs="*", default=DEFAULT_PINS,
                        help="stripe-python versions (12.0.0 or stripe==12.0.0)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="directory for the JSON files (default: beside this script)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stripe-wheels-") as tmp:
        for pin in args.pins:
            data = extract(download(pin, Path(tmp)))
            target = args.out / f"{data['api_version']}.json"
            with open(target, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, sort_keys=False)
                fh.write("\n")
            print(f"{data['sdk']} -> {os.path.relpath(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
