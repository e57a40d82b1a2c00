"""Stripe's OpenAPI description (tests/data/spec3.json), indexed to check requests; form decoding.

Pure stdlib: no Django, no djstripe. The spec is parsed once per process and per file
(`load_spec`); path templates are compiled into a segment trie in which literal segments
are tried before `{param}` segments, so `/v1/invoices/upcoming` wins over
`/v1/invoices/{invoice}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

SPEC_PATH = Path(__file__).resolve().parent / "data" / "spec3.json"

_CACHE: dict[str, Spec] = {}
_INT = re.compile(r"-?\d+")
_KEY_PARTS = re.compile(r"\[([^\]]*)\]")

Error = tuple[str, str]  # (message, param)


def singular(word: str) -> str:
    """Return a naive English singular of a collection segment ("customers" -> "customer")."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Operation:
    """One HTTP method on one path template: what it accepts and what it returns."""

    method: str
    template: str
    params: Mapping[str, Mapping[str, Any]]
    required: tuple[str, ...]
    is_list: bool
    object_names: frozenset[str]
    id_param: str | None
    owner_keys: Mapping[str, tuple[str, ...]]
    resource: str
    singleton: bool
    returns_deleted: bool


class _Node:
    __slots__ = ("lits", "var", "ops")

    def __init__(self) -> None:
        self.lits: dict[str, _Node] = {}
        self.var: _Node | None = None
        self.ops: dict[str, tuple[Operation, tuple[str, ...]]] = {}


class Spec:
    """A parsed spec: path matching, per-operation parameter validation, object metadata."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        """Index `raw` (the decoded spec3.json)."""
        self._schemas: Mapping[str, Any] = raw["components"]["schemas"]
        self.object_properties: dict[str, frozenset[str]] = {}
        for schema in self._schemas.values():
            obj = schema.get("properties", {}).get("object", {}).get("enum")
            if obj and "deleted" not in schema["properties"]:
                props = self.object_properties.get(obj[0], frozenset())
                self.object_properties[obj[0]] = props | frozenset(schema["properties"])
        self.operations: dict[tuple[str, str], Operation] = {}
        self._root = _Node()
        for template, methods in raw["paths"].items():
            segs = template.strip("/").split("/")
            node = self._root
            for seg in segs:
                if seg.startswith("{"):
                    node.var = node.var or _Node()
                    node = node.var
                else:
                    node = node.lits.setdefault(seg, _Node())
            names = tuple(s[1:-1] for s in segs if s.startswith("{"))
            for method, raw_op in methods.items():
                op = self._operation(method, template, segs, raw_op)
                self.operations[(method, template)] = op
                node.ops[method] = (op, names)

    def _object_names(self, schema: Mapping[str, Any]) -> set[str]:
        if "anyOf" in schema:
            return set().union(*(self._object_names(b) for b in schema["anyOf"]))
        if "$ref" in schema:
            return self._object_names(self._schemas[schema["$ref"].rsplit("/", 1)[1]])
        props = schema.get("properties", {})
        enum = props.get("object", {}).get("enum")
        return {enum[0]} if enum and "deleted" not in props else set()

    def _operation(self, method: str, template: str, segs: list[str], raw: Any) -> Operation:
        params: dict[str, Mapping[str, Any]] = {}
        required: list[str] = []
        for p in raw.get("parameters", ()):
            if p["in"] != "path":
                params[p["name"]] = p.get("schema", {})
                if p.get("required"):
                    required.append(p["name"])
        for content in raw.get("requestBody", {}).get("content", {}).values():
            body = content.get("schema", {})
            params.update(body.get("properties", {}))
            required.extend(body.get("required", ()))
        ok = raw.get("responses", {}).get("200", {}).get("content", {})
        schema = ok.get("application/json", {}).get("schema", {})
        data = schema.get("properties", {}).get("data", {})
        is_list = data.get("type") == "array"
        names = self._object_names(data.get("items", {}) if is_list else schema)
        id_param = segs[-1][1:-1] if segs[-1].startswith("{") and not is_list else None
        owners: dict[str, tuple[str, ...]] = {}
        for i, seg in enumerate(segs):
            name = seg[1:-1]
            if seg.startswith("{") and name != id_param and i > 0:
                owners[name] = tuple(dict.fromkeys((singular(segs[i - 1]), name)))
        if len(names) == 1:
            resource = next(iter(names))
        else:
            resource = singular(segs[-2] if id_param else segs[-1])
        return Operation(
            method=method,
            template=template,
            params=params,
            required=tuple(required),
            is_list=is_list,
            object_names=frozenset(names),
            id_param=id_param,
            owner_keys=owners,
            resource=resource,
            singleton=len(segs) == 2 and not is_list and method == "get",
            returns_deleted="schemas/deleted_" in json.dumps(schema),
        )

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """Find the operation for `method` (lower-case) on `path`, with its path parameters."""
        segs = path.strip("/").split("/")
        values: list[str] = []
        found = _walk(self._root, segs, 0, method, values)
        if found is None:
            return None
        op, names = found
        return op, {n: unquote(v) for n, v in zip(names, values, strict=True)}

    def validate(self, op: Operation, params: Mapping[str, Any]) -> Error | None:
        """Return (message, param) for the first thing Stripe would reject, else None."""
        unknown = [k for k in params if k not in op.params]
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            return f"Received unknown parameter{plural}: {', '.join(unknown)}", unknown[0]
        for name in op.required:
            if name not in params:
                return f"Missing required param: {name}.", name
        for name, value in params.items():
            err = check_value(value, op.params[name], name, True)
            if err is not None:
                return err
        return None

    def coerce(self, op: Operation, name: str, value: str) -> Any:
        """Turn a form-encoded scalar into the JSON type the spec gives parameter `name`."""
        if value == "":
            return None
        schema = op.params.get(name, {})
        types = {b.get("type") for b in schema.get("anyOf", [schema])}
        if "integer" in types and _INT.fullmatch(value):
            return int(value)
        if "boolean" in types and value in ("true", "false"):
            return value == "true"
        if "number" in types:
            try:
                return float(value)
            except ValueError:
                pass
        return value


def _walk(node: _Node, segs: list[str], i: int, method: str, values: list[str]) -> Any:
    if i == len(segs):
        return node.ops.get(method)
    child = node.lits.get(segs[i])
    if child is not None:
        found = _walk(child, segs, i + 1, method, values)
        if found is not None:
            return found
    if node.var is not None and segs[i]:
        values.append(segs[i])
        found = _walk(node.var, segs, i + 1, method, values)
        if found is not None:
            return found
        values.pop()
    return None


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _one_of(options: list[Any]) -> str:
    words = [str(o) for o in options]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + ", or " + words[-1]


def check_value(value: Any, schema: Mapping[str, Any], name: str, top: bool) -> Error | None:
    """Check one decoded value against its schema; objects are checked one level deep only."""
    any_of = schema.get("anyOf")
    if any_of is not None:
        first: Error | None = None
        for branch in any_of:
            err = check_value(value, branch, name, top)
            if err is None:
                return None
            first = first or err
        return first
    if isinstance(value, str) and value == "":
        return None  # an empty string unsets a field
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, (str, bytes)):
            return f"Invalid string: {_show(value)}", name
        enum = schema.get("enum")
        if enum and value not in enum:
            return f"Invalid {name}: must be one of {_one_of(enum)}", name
    elif kind == "integer":
        if not isinstance(value, str) or not _INT.fullmatch(value):
            return f"Invalid integer: {_show(value)}", name
    elif kind == "number":
        try:
            float(value)
        except (TypeError, ValueError):
            return f"Invalid decimal: {_show(value)}", name
    elif kind == "boolean":
        if value not in ("true", "false"):
            return f"Invalid boolean: {_show(value)}", name
    elif kind == "array":
        if isinstance(value, dict) and all(k.isdigit() for k in value):
            value = [value[k] for k in sorted(value, key=int)]
        if not isinstance(value, list):
            return f"Invalid array: {_show(value)}", name
        items = schema.get("items")
        if top and items:
            for i, item in enumerate(value):
                err = check_value(item, items, f"{name}[{i}]", True)
                if err is not None:
                    return err
    elif kind == "object":
        if not isinstance(value, dict):
            return f"Invalid object: {_show(value)}", name
        props = schema.get("properties")
        if top and props:
            if not schema.get("additionalProperties"):
                for key in value:
                    if key not in props:
                        return f"Received unknown parameter: {name}[{key}]", f"{name}[{key}]"
            for key in schema.get("required", ()):
                if key not in value:
                    return f"Missing required param: {name}[{key}].", f"{name}[{key}]"
            for key, sub in value.items():
                err = check_value(sub, props.get(key, {}), f"{name}[{key}]", False)
                if err is not None:
                    return err
    return None


# -- wire format ---------------------------------------------------------------------------


def decode_form(text: str | bytes) -> dict:
    """Decode stripe-python's form/query encoding (`a[b][0][c]=v`) into nested dicts/lists."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return _nest(parse_qsl(text, keep_blank_values=True))


def _nest(pairs: Iterable[tuple[str, Any]]) -> dict:
    out: dict = {}
    nested = False
    for key, value in pairs:
        cut = key.find("[")
        if cut <= 0:
            out[key] = value
            continue
        nested = True
        parts = [key[:cut], *_KEY_PARTS.findall(key, cut)]
        node = out
        for part in parts[:-1]:
            part = part or str(len(node))
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1] or str(len(node))] = value
    return {k: _listify(v, k) for k, v in out.items()} if nested else out


def _listify(value: Any, key: str) -> Any:
    if not isinstance(value, dict):
        return value
    value = {k: _listify(v, k) for k, v in value.items()}
    if key != "metadata" and value and all(k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    return value


def load_spec(path: str | Path | None = None) -> Spec:
    """Return the (process-wide cached) Spec for `path`, default tests/data/spec3.json."""
    key = str(Path(path or SPEC_PATH).resolve())
    spec = _CACHE.get(key)
    if spec is None:
        with open(key, encoding="utf-8") as fh:
            raw = json.load(fh)
        amend(raw)
        spec = _CACHE[key] = Spec(raw)
    return spec


def amend(raw: dict) -> None:
    """Fill the spec's known gaps, each one something Stripe's API reference documents.

    - ``card[cvc]`` on ``POST /v1/tokens``: the card token parameters of
      2018-05-21 list number, exp_month, exp_year and cvc; the generated
      description left cvc out of its ``credit_card_specs`` branch.
    """
    body = raw["paths"]["/v1/tokens"]["post"]["requestBody"]["content"]
    card = body["application/x-www-form-urlencoded"]["schema"]["properties"]["card"]
    for branch in card["anyOf"]:
        if branch.get("title") == "credit_card_specs":
            branch["properties"].setdefault("cvc", {"type": "string"})
