"""One name per option: the `serve` flags, the Config/Source fields and the Gateway's keywords agree, and the source
flags are the same for serve, test-invoke and doctor."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import lambdagate
from lambdagate import cli
from lambdagate.config import CONFIG_FIELDS, SOURCE_FIELDS, Options, config_from
from lambdagate.errors import LambdagateError

RUNNING_ONLY = {"help", "command"}


def _subparser(name: str) -> argparse.ArgumentParser:
    [action] = [a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return action.choices[name]


def _dests(name: str) -> set[str]:
    return {a.dest for a in _subparser(name)._actions} - RUNNING_ONLY


def test_serve_flags_are_the_config_fields() -> None:
    assert _dests("serve") == SOURCE_FIELDS | CONFIG_FIELDS


@pytest.mark.parametrize("command", ["test-invoke", "doctor"])
def test_every_command_takes_the_same_source_flags(command: str) -> None:
    assert _dests(command) >= SOURCE_FIELDS


def test_the_gateway_keywords_are_the_fields() -> None:
    assert set(Options.__annotations__) == (SOURCE_FIELDS | CONFIG_FIELDS) - {"template", "openapi"}


def test_flag_defaults_are_the_field_defaults() -> None:
    args = cli.parser().parse_args(["serve"])
    default = config_from({})
    for name in CONFIG_FIELDS:
        assert getattr(args, name) == getattr(default, name), name
    repeatable = {"functions", "layers", "policies", "user_pool_jwks", "iam_credentials"}
    for name in SOURCE_FIELDS - repeatable - {"parameter_overrides"}:
        assert getattr(args, name) == getattr(default.source, name), name
    for name in repeatable:
        assert tuple(getattr(args, name)) == getattr(default.source, name), name


def test_unknown_keyword_is_named() -> None:
    with pytest.raises(TypeError, match="unknown option stages"):
        config_from({"stages": "x"})


@pytest.mark.parametrize(("argv", "expected"), [
    (["A=1", "B=two words"], {"A": "1", "B": "two words"}),
    (["A=1 B=2"], {"A": "1", "B": "2"}),
    (["ParameterKey=A,ParameterValue=1 ParameterKey=B,ParameterValue=x=y"], {"A": "1", "B": "x=y"}),
    (["ParameterKey=Env,ParameterValue='dev stage'"], {"Env": "dev stage"}),
], ids=["name-value", "one-argument", "sam-cloudformation-form", "quoted"])
def test_parameter_overrides_as_sam_takes_them(argv: list[str], expected: dict[str, str]) -> None:
    assert cli.parameter_overrides(argv) == expected


def test_parameter_overrides_say_what_they_expected() -> None:
    with pytest.raises(LambdagateError, match="expected ParameterKey=NAME,ParameterValue=VALUE"):
        cli.parameter_overrides(["ParameterKey=A"])
    with pytest.raises(LambdagateError, match="expected NAME=VALUE, got 'A'"):
        cli.parameter_overrides(["A"])


def test_public_api_is_pinned() -> None:
    assert lambdagate.__all__ == ["Config", "Gateway", "Source", "TestInvokeResult", "__version__"]
    assert sorted(n for n in vars(lambdagate) if not n.startswith("_") and n not in ("annotations", "version")
                  and not isinstance(getattr(lambdagate, n), type(lambdagate))) == sorted(
        n for n in lambdagate.__all__ if not n.startswith("_"))
    assert lambdagate.TestInvokeResult.__test__ is False


def test_paths_may_be_strings(tmp_path: Path) -> None:
    config = config_from({"mapping": "m.yaml", "policies": ["p.json"]}, template="t.yaml")
    assert config.source.template == Path("t.yaml") and config.source.policies == (Path("p.json"),)
