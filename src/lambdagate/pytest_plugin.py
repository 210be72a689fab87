"""lambdagate's pytest plugin (entry point `pytest11`): the `lambdagate_gateway` fixture, a running gateway of your
template with real execution environments, started once per test run and shared by the tests that use it.

    # pyproject.toml (or pytest.ini's [pytest])
    [tool.pytest.ini_options]
    lambdagate_template = "template.yaml"
    lambdagate_options = ["stage=Prod", "env_vars=env.json"]

    def test_hello(lambdagate_gateway):
        r = lambdagate_gateway.request("GET", "/hello")          # in-process, as the console's Test button
        assert r.status == 200, r.log
        assert requests.get(lambdagate_gateway.url + "/hello").status_code == 200   # over HTTP

    @pytest.mark.lambdagate(template="other/template.yaml", stage="dev")   # another gateway for these tests
    def test_other(lambdagate_gateway): ...

Options are the Gateway's keywords (config.Options), given as NAME=VALUE lines in the ini file or as the marker's
keywords. One gateway is started per distinct template and options, the first time a test asks for it, and closed at
the end of the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .sync import Gateway

_LIST_OPTIONS = ("functions", "policies")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("lambdagate_template", "the template (or OpenAPI file, with lambdagate_openapi = true) that "
                  "lambdagate_gateway serves; relative to the rootdir", default="template.yaml")
    parser.addini("lambdagate_openapi", "serve lambdagate_template as an OpenAPI file", type="bool", default=False)
    parser.addini("lambdagate_options", "the Gateway's keywords as NAME=VALUE lines (stage=Prod, env_vars=env.json, "
                  "parameter_overrides=Key=Value, functions=..., policies=...)", type="linelist", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "lambdagate(template=None, openapi=False, **options): the gateway "
                            "lambdagate_gateway gives these tests (the Gateway's keywords)")


class _Gateways:
    """The gateways of this run, one per template and options, started on first use."""

    def __init__(self) -> None:
        self.running: dict[str, Gateway] = {}

    def get(self, definition: Path, openapi: bool, options: dict[str, Any]) -> Gateway:
        from .sync import Gateway

        key = repr((str(definition), openapi, sorted(options.items())))
        gateway = self.running.get(key)
        if gateway is None:
            start = Gateway.from_openapi if openapi else Gateway.from_template
            gateway = self.running[key] = start(definition, **options)
            gateway.serve_http()
        return gateway

    def close(self) -> None:
        for gateway in self.running.values():
            gateway.close()
        self.running.clear()


@pytest.fixture(scope="session")
def _lambdagate_gateways() -> Iterator[_Gateways]:
    gateways = _Gateways()
    yield gateways
    gateways.close()


def _ini_options(config: pytest.Config) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for line in config.getini("lambdagate_options"):
        name, sep, value = str(line).partition("=")
        if not sep:
            raise pytest.UsageError(f"lambdagate_options: expected NAME=VALUE, got {line!r}")
        name = name.strip()
        if name == "parameter_overrides":
            key, _, val = value.partition("=")
            options.setdefault(name, {})[key.strip()] = val.strip()
        elif name in _LIST_OPTIONS:
            options[name] = (*options.get(name, ()), value.strip())
        else:
            options[name] = _value(value.strip())
    return options


def _value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return int(text) if text.isdigit() else text


@pytest.fixture
def lambdagate_gateway(request: pytest.FixtureRequest, _lambdagate_gateways: _Gateways) -> Gateway:
    """The running gateway (lambdagate.Gateway) of the template the ini file or the test's marker names: `.url` for
    HTTP clients, `.request(method, path, ...)` in-process."""
    config = request.config
    marker = request.node.get_closest_marker("lambdagate")
    options = _ini_options(config)
    template = str(config.getini("lambdagate_template"))
    openapi = bool(config.getini("lambdagate_openapi"))
    if marker is not None:
        marked = dict(marker.kwargs)
        template = str(marked.pop("template", None) or template)
        openapi = bool(marked.pop("openapi", openapi))
        options.update(marked)
    definition = Path(template)
    if not definition.is_absolute():
        definition = Path(str(config.rootpath)) / definition
    return _lambdagate_gateways.get(definition, openapi, options)
