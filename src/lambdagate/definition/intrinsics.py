"""CloudFormation intrinsic functions and conditions, resolved as CloudFormation would at deploy time.

A value only AWS can know (another stack's export, an attribute of a resource lambdagate does not run) is a
placeholder the stack names at start-up (stack.py, placeholders.py).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from .template import Template

NO_VALUE = object()  # AWS::NoValue: the property is removed
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")

Keys = tuple[str | int, ...]


class Resolver:
    """`parameters` by name; a list parameter (CommaDelimitedList, List<...>) has its values comma-joined and is
    named in `lists`: its `Ref` is the list (CloudFormation user guide, Parameters: "Ref ... returns a list").
    `extensions`: the template declares AWS::LanguageExtensions (Fn::Length, Fn::ToJsonString, FindInMap's
    DefaultValue)."""

    def __init__(self, template: Template, parameters: dict[str, str], pseudo: dict[str, str],
                 ref: Callable[[str], str | None], get_att: Callable[[str, str], str | None],
                 lists: frozenset[str] = frozenset(), extensions: bool = False,
                 imported: Callable[[str], str] | None = None) -> None:
        self.template = template
        self.parameters = parameters
        self.pseudo = pseudo
        self.lists = lists
        self.extensions = extensions
        self._ref = ref
        self._get_att = get_att
        self._imported = imported
        self._conditions: dict[str, bool] = {}

    # -- values ---------------------------------------------------------------------------------------------
    def resolve(self, value: Any, keys: Keys) -> Any:
        """The value with every intrinsic function evaluated; AWS::NoValue entries removed."""
        if isinstance(value, dict):
            if len(value) == 1:
                (name, arg), = value.items()
                if name == "Ref" or name.startswith("Fn::"):
                    return self._function(name, arg, keys + (name,))
            out = {}
            for k, v in value.items():
                r = self.resolve(v, keys + (k,))
                if r is not NO_VALUE:
                    out[k] = r
            return out
        if isinstance(value, list):
            items = [self.resolve(v, keys + (i,)) for i, v in enumerate(value)]
            return [v for v in items if v is not NO_VALUE]
        return value

    def string(self, value: Any, keys: Keys) -> str:
        r = self.resolve(value, keys)
        if isinstance(r, bool):
            return "true" if r else "false"
        if isinstance(r, (str, int, float)):
            return str(r)
        raise self.template.error(keys, f"expected a string, got {_describe(r)}")

    def _function(self, name: str, arg: Any, keys: Keys) -> Any:
        handler = getattr(self, "_fn_" + name.replace("Fn::", "").replace("::", "_"), None)
        if handler is None:
            raise self.template.error(keys, f"intrinsic function {name} cannot be resolved locally")
        return handler(arg, keys)

    def _fn_Ref(self, arg: Any, keys: Keys) -> Any:
        name = self.string(arg, keys)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            given = self.parameters[name]
            return (given.split(",") if given else []) if name in self.lists else given
        value = self._ref(name)
        if value is None:
            raise self.template.error(keys, f"!Ref {name}: no parameter or resource of that name")
        return value

    def _fn_GetAtt(self, arg: Any, keys: Keys) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            raise self.template.error(keys, "Fn::GetAtt takes [LogicalId, Attribute]")
        logical_id, attribute = self.string(arg[0], keys), self.string(arg[1], keys)
        value = self._get_att(logical_id, attribute)
        if value is None:
            raise self.template.error(keys, f"!GetAtt {logical_id}.{attribute} cannot be resolved locally")
        return value

    def _fn_Sub(self, arg: Any, keys: Keys) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text = arg[0]
            variables = {k: self.string(v, keys + (1, k)) for k, v in arg[1].items()}
        else:
            text = arg
        if not isinstance(text, str):
            raise self.template.error(keys, "Fn::Sub takes a string or [string, {variables}]")

        def replace(m: re.Match[str]) -> str:
            expr = m.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(variables[expr])
            if "." in expr and expr not in self.parameters:
                res, att = expr.split(".", 1)
                return self.string({"Fn::GetAtt": [res, att]}, keys)
            return self.string({"Ref": expr}, keys)

        return _SUB_VAR.sub(replace, text)

    def _fn_Join(self, arg: Any, keys: Keys) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise self.template.error(keys, "Fn::Join takes [delimiter, [values]]")
        items = self.resolve(arg[1], keys + (1,))
        if not isinstance(items, list):
            raise self.template.error(keys, "Fn::Join needs a list of values")
        return self.string(arg[0], keys).join(self.string(v, keys + (1, i)) for i, v in enumerate(items))

    def _fn_Select(self, arg: Any, keys: Keys) -> Any:
        items = self.resolve(arg[1], keys + (1,)) if isinstance(arg, list) and len(arg) == 2 else None
        if not isinstance(items, list):
            raise self.template.error(keys, "Fn::Select takes [index, [values]]")
        index = int(self.string(arg[0], keys + (0,)))
        if not 0 <= index < len(items):
            raise self.template.error(keys, f"Fn::Select index {index} is out of range")
        return items[index]

    def _fn_Split(self, arg: Any, keys: Keys) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise self.template.error(keys, "Fn::Split takes [delimiter, string]")
        return self.string(arg[1], keys + (1,)).split(self.string(arg[0], keys))

    def _fn_If(self, arg: Any, keys: Keys) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            raise self.template.error(keys, "Fn::If takes [condition, value if true, value if false]")
        chosen = 1 if self.condition(self.string(arg[0], keys), keys) else 2
        return self.resolve(arg[chosen], keys + (chosen,))

    def _fn_FindInMap(self, arg: Any, keys: Keys) -> Any:
        if not isinstance(arg, list) or len(arg) < 3:
            raise self.template.error(keys, "Fn::FindInMap takes [map, top-level key, second-level key]")
        default = arg[3].get("DefaultValue", NO_VALUE) if len(arg) == 4 and isinstance(arg[3], dict) else NO_VALUE
        if len(arg) > 3 and (default is NO_VALUE or not self.extensions):
            raise self.template.error(keys + (3,), "Fn::FindInMap takes a fourth entry only as {DefaultValue: ...} "
                                      "and with `Transform: AWS::LanguageExtensions`")
        names = [self.string(a, keys + (i,)) for i, a in enumerate(arg[:3])]
        try:
            return self.resolve(self.template.data["Mappings"][names[0]][names[1]][names[2]], keys)
        except (KeyError, TypeError):
            if default is not NO_VALUE:
                return self.resolve(default, keys + (3, "DefaultValue"))
            raise self.template.error(keys, f"Fn::FindInMap: no entry {'/'.join(names)} in Mappings") from None

    # -- AWS::LanguageExtensions (language_extensions.py) ---------------------------------------------------------
    def _extension(self, name: str, keys: Keys) -> None:
        if not self.extensions:
            raise self.template.error(keys, f"{name} needs `Transform: AWS::LanguageExtensions` in the template")

    def _fn_Length(self, arg: Any, keys: Keys) -> Any:
        """The number of elements of a list, or of the list an intrinsic function returns."""
        self._extension("Fn::Length", keys)
        items = self.resolve(arg, keys)
        if not isinstance(items, list):
            raise self.template.error(keys, f"Fn::Length takes a list, got {_describe(items)}")
        return len(items)

    def _fn_ToJsonString(self, arg: Any, keys: Keys) -> Any:
        """The object or list as compact JSON (the page's example: `{"key1":"value1"}`)."""
        self._extension("Fn::ToJsonString", keys)
        value = self.resolve(arg, keys)
        if not isinstance(value, (dict, list)):
            raise self.template.error(keys, f"Fn::ToJsonString takes an object or a list, got {_describe(value)}")
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def _fn_ImportValue(self, arg: Any, keys: Keys) -> Any:
        """Another stack's export: lambdagate cannot know its value; a placeholder named at start-up stands in."""
        name = self.string(arg, keys)
        if self._imported is None:
            raise self.template.error(keys, f"Fn::ImportValue {name!r}: another stack's export cannot be read here")
        return self._imported(name)

    def _fn_Base64(self, arg: Any, keys: Keys) -> Any:
        return base64.b64encode(self.string(arg, keys).encode()).decode()

    def _fn_GetAZs(self, arg: Any, keys: Keys) -> Any:
        region = self.pseudo["AWS::Region"]
        return [region + zone for zone in "abc"]

    # -- conditions -----------------------------------------------------------------------------------------
    def condition(self, name: str, keys: Keys) -> bool:
        if name not in self._conditions:
            definitions = self.template.data.get("Conditions") or {}
            if name not in definitions:
                raise self.template.error(keys, f"condition {name!r} is not defined in Conditions")
            self._conditions[name] = self._evaluate(definitions[name], ("Conditions", name))
        return self._conditions[name]

    def _evaluate(self, value: Any, keys: Keys) -> bool:
        if isinstance(value, dict) and len(value) == 1:
            (name, arg), = value.items()
            if name == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
                return bool(self.resolve(arg[0], keys) == self.resolve(arg[1], keys)) or (
                    self.string(arg[0], keys) == self.string(arg[1], keys))
            if name == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
                return not self._evaluate(arg[0], keys + (name, 0))
            if name == "Fn::And" and isinstance(arg, list):
                return all(self._evaluate(a, keys + (name, i)) for i, a in enumerate(arg))
            if name == "Fn::Or" and isinstance(arg, list):
                return any(self._evaluate(a, keys + (name, i)) for i, a in enumerate(arg))
            if name == "Condition":
                return self.condition(self.string(arg, keys), keys)
        raise self.template.error(keys, "a condition is Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return type(value).__name__
