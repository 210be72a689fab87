"""`Transform: AWS::LanguageExtensions`, applied before anything reads the template, as CloudFormation applies it
before the SAM transform (CloudFormation template reference, "AWS::LanguageExtensions transform"; the archived
awsdocs/aws-cloudformation-user-guide doc_source/transform-aws-languageextensions.md and the pages it links):

- `Fn::ForEach::LoopName: [Identifier, Collection, {OutputKey: OutputValue}]` in `Resources` (resource properties
  included), `Conditions` and `Outputs`: one copy of the fragment per item, `${Identifier}` replaced by the item and
  `&{Identifier}` by the item without its non-alphanumeric characters, in keys and values, and `Ref: Identifier` by
  the item. The collection is a list or a `Ref` to a list parameter (CommaDelimitedList). The OutputKey must contain
  the identifier; a copy must not take a key that already exists. Loops nest.
- `Fn::Length` and `Fn::ToJsonString` (intrinsics.py) and `Fn::FindInMap`'s `DefaultValue` (intrinsics.py) need the
  transform; so does an intrinsic function in `DeletionPolicy` / `UpdateReplacePolicy`, whose value must then
  resolve to one of the policies CloudFormation knows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .template import Keys, Template

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
FOR_EACH = "Fn::ForEach::"
SECTIONS = ("Conditions", "Resources", "Outputs")
EXTENSION_FUNCTIONS = ("Fn::Length", "Fn::ToJsonString")
POLICY_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy")
# CloudFormation template reference, DeletionPolicy and UpdateReplacePolicy attributes.
POLICIES = ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot")

Collection = Callable[[Any, Keys], list[str]]


def declared(data: dict[str, Any]) -> bool:
    transform = data.get("Transform")
    return LANGUAGE_EXTENSIONS in (transform if isinstance(transform, list) else [transform])


def expand(template: Template, collection: Collection) -> None:
    """Every Fn::ForEach of the template replaced by its copies (in place); `collection` resolves a loop's
    collection to its items."""
    if not declared(template.data):
        uses = _first_use(template.data, ())
        if uses is not None:   # CloudFormation refuses the template, whether or not the value is read
            name = "Fn::ForEach" if str(uses[-1]).startswith(FOR_EACH) else str(uses[-1])
            raise template.error(uses, f"{name} needs `Transform: AWS::LanguageExtensions` in the template")
        return
    for section in SECTIONS:
        if isinstance(template.data.get(section), dict):
            template.data[section] = _Expansion(template, collection).mapping(template.data[section], (section,),
                                                                              (section,))


def check_policies(template: Template, resolve: Callable[[Any, Keys], Any]) -> None:
    """DeletionPolicy / UpdateReplacePolicy: a literal policy, or (with the transform) an intrinsic function that
    resolves to one."""
    extensions = declared(template.data)
    for logical_id, resource in (template.data.get("Resources") or {}).items():
        if not isinstance(resource, dict):
            continue
        for attribute in POLICY_ATTRIBUTES:
            if attribute not in resource:
                continue
            keys: Keys = ("Resources", logical_id, attribute)
            value = resource[attribute]
            if isinstance(value, dict) and not extensions:
                raise template.error(keys, f"{attribute} is a literal ({', '.join(POLICIES)}) unless the template "
                                     "declares `Transform: AWS::LanguageExtensions`")
            value = resolve(value, keys)
            if value not in POLICIES:
                raise template.error(keys, f"{attribute} {value!r}: expected one of {', '.join(POLICIES)}")
            resource[attribute] = value


def _first_use(value: Any, keys: Keys) -> Keys | None:
    """Where the template first uses a function only the transform provides."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and (k.startswith(FOR_EACH) or k in EXTENSION_FUNCTIONS):
                return keys + (k,)
            found = _first_use(v, keys + (k,))
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _first_use(v, keys + (i,))
            if found is not None:
                return found
    return None


class _Expansion:
    def __init__(self, template: Template, collection: Collection) -> None:
        self.t = template
        self.collection = collection

    def value(self, value: Any, keys: Keys, origin: Keys) -> Any:
        """`keys` where the value ends up, `origin` where it was written (they differ inside a copy)."""
        if isinstance(value, dict):
            return self.mapping(value, keys, origin)
        if isinstance(value, list):
            return [self.value(v, keys + (i,), origin + (i,)) for i, v in enumerate(value)]
        return value

    def mapping(self, value: dict[str, Any], keys: Keys, origin: Keys) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not (isinstance(key, str) and key.startswith(FOR_EACH)):
                out[key] = self.value(item, keys + (key,), origin + (key,))
                continue
            for copy_key, (copy, copy_origin) in self.loop(key, item, origin + (key,)).items():
                if copy_key in out or copy_key in value:
                    raise self.t.error(origin + (key,), f"Fn::ForEach makes {copy_key!r}, which already exists")
                self.t.graft(keys + (copy_key,), self.t, copy_origin)
                out[copy_key] = self.value(copy, keys + (copy_key,), copy_origin)
        return out

    def loop(self, name: str, spec: Any, keys: Keys) -> dict[str, tuple[Any, Keys]]:
        """{OutputKey with the item: (OutputValue with the item, where that fragment is written)}."""
        if not isinstance(spec, list) or len(spec) != 3 or not isinstance(spec[0], str) or \
                not isinstance(spec[2], dict):
            raise self.t.error(keys, f"{name} takes [Identifier, Collection, {{OutputKey: OutputValue}}]")
        identifier, collection, fragment = spec
        items = self.collection(collection, keys + (1,))
        out: dict[str, tuple[Any, Keys]] = {}
        for output_key, output_value in fragment.items():
            if f"${{{identifier}}}" not in output_key and f"&{{{identifier}}}" not in output_key:
                raise self.t.error(keys + (2, output_key), f"the OutputKey {output_key!r} must contain "
                                   f"${{{identifier}}} or &{{{identifier}}}")
            for item in items:
                key = _replace(output_key, identifier, item)
                if key in out:
                    raise self.t.error(keys + (1,), f"the collection gives {item!r} twice: {key!r} would be made "
                                       "twice")
                out[key] = (_substitute(output_value, identifier, item), keys + (2, output_key))
        return out


def _replace(text: str, identifier: str, item: str) -> str:
    return text.replace(f"${{{identifier}}}", item).replace(f"&{{{identifier}}}", re.sub(r"[^A-Za-z0-9]", "", item))


def _substitute(value: Any, identifier: str, item: str) -> Any:
    if isinstance(value, str):
        return _replace(value, identifier, item)
    if isinstance(value, list):
        return [_substitute(v, identifier, item) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and value.get("Ref") == identifier:
            return item
        return {_replace(k, identifier, item) if isinstance(k, str) else k: _substitute(v, identifier, item)
                for k, v in value.items()}
    return value
