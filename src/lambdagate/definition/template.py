"""Read a CloudFormation/SAM template (YAML with short tags, or JSON) and remember where each field stands."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from cfn_tools.yaml_loader import CfnYamlLoader  # type: ignore[import-untyped]

from ..errors import DefinitionError
from .model.location import Location

Keys = tuple[str | int, ...]


class Template:
    """A parsed template: its data, and the line of any field for error messages.

    A value that came from elsewhere (an AWS::Include file, a copy made by Fn::ForEach) is grafted: its fields are
    located, and its errors reported, in the file and at the keys it came from."""

    def __init__(self, path: Path, data: dict[str, Any], root: yaml.Node | None) -> None:
        self.path = path
        self.data = data
        self._root = root
        self._grafts: dict[Keys, tuple[Template, Keys]] = {}

    @property
    def file(self) -> str:
        return str(self.path)

    def line_of(self, *keys: str | int) -> int | None:
        """1-based line of the field reached by `keys` (or of its closest existing parent)."""
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def graft(self, keys: Keys, source: Template, source_keys: Keys) -> None:
        """The value at `keys` was written in `source` at `source_keys`."""
        self._grafts[tuple(keys)] = (source, tuple(source_keys))

    def origin(self, keys: Keys) -> tuple[Template, Keys]:
        """The file, and the keys in it, where the value at `keys` was written."""
        for n in range(len(keys), 0, -1):
            graft = self._grafts.get(keys[:n])
            if graft is not None:
                source, source_keys = graft
                return source.origin(source_keys + keys[n:])
        return self, keys

    def location(self, *keys: str | int) -> Location:
        template, keys = self.origin(keys)
        return Location(template.file, template.line_of(*keys))

    def error(self, keys: Keys, message: str) -> DefinitionError:
        template, keys = self.origin(tuple(keys))
        where = ".".join(str(k) for k in keys)
        return DefinitionError(template.file, template.line_of(*keys), where, message)


def load_template(path: Path, short_tags: bool = True) -> Template:
    """Parse `path`; a file that cannot be read or parsed is a DefinitionError naming file and line. Without
    `short_tags`, CloudFormation's YAML short forms (`!Sub`) are refused, as in an AWS::Include snippet."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise DefinitionError(str(path), None, "", f"cannot read the template: {e.strerror}") from None
    except UnicodeDecodeError:
        raise DefinitionError(str(path), None, "", "the template is not UTF-8 text") from None
    data: Any
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise DefinitionError(str(path), e.lineno, "", f"invalid JSON: {e.msg} (column {e.colno})") from None
    else:
        try:
            data = yaml.load(text, Loader=CfnYamlLoader if short_tags else yaml.SafeLoader)  # noqa: S506
        except yaml.constructor.ConstructorError as e:
            mark = e.problem_mark
            tag = str(e.problem or "").partition("tag '")[2].rstrip("'") or "a tag"
            raise DefinitionError(str(path), mark.line + 1 if mark else None, "",
                                  f"{tag}: CloudFormation reads an AWS::Include snippet without YAML short forms; "
                                  "write the long form (Fn::Sub, Ref, Fn::GetAtt, ...)") from None
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark else None
            raise DefinitionError(str(path), line, "", f"invalid YAML: {e.problem or e.context}") from None
        except yaml.YAMLError as e:
            raise DefinitionError(str(path), None, "", f"invalid YAML: {e}") from None
    if not isinstance(data, Mapping):
        raise DefinitionError(str(path), 1, "", "a template is a mapping with a 'Resources' section")
    try:
        root = yaml.compose(text, Loader=CfnYamlLoader)  # noqa: S506
    except yaml.YAMLError:
        root = None  # JSON that YAML cannot read (tabs): messages then name the file without a line
    return Template(path, _plain(data), root)


def _plain(value: Any) -> Any:
    """cfn-flip's ordered dicts to plain dicts (insertion order is kept)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
