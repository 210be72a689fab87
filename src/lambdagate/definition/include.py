"""The `AWS::Include` transform with local files: the snippet a `Location` names is inserted where the transform
stands, before anything else reads the template (CloudFormation template reference, "AWS::Include transform").

- `{"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": ...}}}` as a value is replaced by the
  snippet; as a key beside others in a mapping, the snippet's keys are merged into that mapping; in the template's
  `Transform` section, the snippet's sections are merged into the template's.
- It may stand anywhere except in `Parameters` and `AWSTemplateFormatVersion` (same page, "Usage").
- On AWS the Location is an S3 URI; `sam deploy` / `aws cloudformation package` upload a local path written there
  (AWS CLI reference, cloudformation package: "Location parameter for the AWS::Include transform"), which is what a
  project holds and what lambdagate reads, relative to the including file. An S3 or HTTPS location cannot be read
  here: that is an error naming the field.
- A snippet is JSON or YAML without the short forms (`!Sub`): the page's considerations say CloudFormation does not
  support YAML short forms in included snippets, so such a snippet is refused with its line.
- Intrinsic functions in a snippet are resolved as if written in the including template (it is inserted before they
  are evaluated), and errors in it name the snippet's file and line (Template.graft).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .template import Keys, Template, load_template

INCLUDE = "AWS::Include"
TRANSFORM = "Fn::Transform"
_NOT_HERE = ("Parameters", "AWSTemplateFormatVersion")


def expand_includes(template: Template) -> None:
    """Insert every AWS::Include snippet into `template.data` (in place), its origin grafted for messages."""
    _Includer(template).run()


class _Includer:
    def __init__(self, template: Template) -> None:
        self.t = template
        self._open: list[Path] = [template.path.resolve()]

    def run(self) -> None:
        data = self.t.data
        transforms = data.get("Transform")
        entries = transforms if isinstance(transforms, list) else [transforms]
        kept = []
        for i, entry in enumerate(entries):
            keys: Keys = ("Transform", i) if isinstance(transforms, list) else ("Transform",)
            if isinstance(entry, dict) and entry.get("Name") == INCLUDE:
                source, snippet = self._snippet(entry, keys)
                if not isinstance(snippet, dict):
                    raise self.t.error(keys, "an AWS::Include in the Transform section needs a snippet of template "
                                       "sections (a mapping)")
                for section, value in snippet.items():
                    self._merge_section(section, value)
                    for key in value if isinstance(value, dict) else ():
                        self.t.graft((section, key), source, (section, key))
            else:
                kept.append(entry)
        if isinstance(transforms, list):
            data["Transform"] = kept
        elif isinstance(transforms, dict) and transforms.get("Name") == INCLUDE:
            del data["Transform"]
        for section in list(data):
            if section not in _NOT_HERE and section != "Transform":
                data[section] = self._expand(data[section], (section,))

    def _merge_section(self, section: str, value: Any) -> None:
        data = self.t.data
        if isinstance(data.get(section), dict) and isinstance(value, dict):
            data[section] = {**value, **data[section]}
        elif section not in data:
            data[section] = value

    def _expand(self, value: Any, keys: Keys) -> Any:
        if isinstance(value, list):
            return [self._expand(v, keys + (i,)) for i, v in enumerate(value)]
        if not isinstance(value, dict):
            return value
        spec = value.get(TRANSFORM)
        if isinstance(spec, dict) and spec.get("Name") == INCLUDE:
            source, snippet = self._snippet(spec, keys + (TRANSFORM,))
            if len(value) == 1:
                if keys:
                    self.t.graft(keys, source, ())
                return snippet
            if not isinstance(snippet, dict):
                raise self.t.error(keys + (TRANSFORM,), "an AWS::Include beside other keys needs a mapping snippet "
                                   "to merge into them")
            for key in snippet:
                self.t.graft(keys + (key,), source, (key,))
            rest = {k: v for k, v in value.items() if k != TRANSFORM}
            return {**snippet, **self._expand(rest, keys)}
        return {k: self._expand(v, keys + (k,)) for k, v in value.items()}

    def _snippet(self, spec: dict[str, Any], keys: Keys) -> tuple[Template, Any]:
        """The snippet file and its data, its own includes expanded."""
        location = (spec.get("Parameters") or {}).get("Location") if isinstance(spec.get("Parameters"), dict) \
            else None
        lkeys = keys + ("Parameters", "Location")
        if not isinstance(location, str) or not location:
            raise self.t.error(lkeys, "AWS::Include needs Parameters.Location, the path of the snippet file")
        if location.startswith(("s3://", "https://", "http://")):
            raise self.t.error(lkeys, f"AWS::Include Location {location!r} is in S3; lambdagate reads the snippet "
                               "from this machine: write its local path (./api.yaml), as `sam deploy` and `aws "
                               "cloudformation package` take it")
        origin, _ = self.t.origin(keys)
        path = (origin.path.parent / location).resolve()
        if not path.is_file():
            raise self.t.error(lkeys, f"AWS::Include Location {location!r}: no such file ({path})")
        if path in self._open:
            raise self.t.error(lkeys, f"AWS::Include Location {location!r} includes itself")
        snippet = load_template(path, short_tags=False)
        self._open.append(path)
        try:
            inner = _Includer(snippet)
            inner._open = self._open
            snippet.data = inner._expand(snippet.data, ())
        finally:
            self._open.pop()
        return snippet, snippet.data
