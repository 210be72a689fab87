"""SAM CLI's inputs as its users give them (samconfig.py, cli.py, definition/lambdas.py, definition/mapping.py):
tests/apps/samconfig is served with its samconfig.toml (parameter overrides, env.json), an env.json variable the
template does not declare (AWS_ENDPOINT_URL) and the Powertools layer mapped by ARN to a local folder. The file's
rules: AWS SAM developer guide, serverless-sam-cli-config.html, and SAM CLI's samcli/lib/config/samconfig.py."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import APPS
from harness import RunningGateway
from lambdagate import cli, samconfig
from lambdagate.config import config_from
from lambdagate.errors import LambdagateError

APP = APPS / "samconfig"


@pytest.fixture(scope="module")
def served() -> Iterator[RunningGateway]:
    running = RunningGateway(APP / "template.yaml", watch=False, mapping=APP / "lambdagate.yaml")
    yield running
    running.close()


def test_the_samconfig_env_vars_and_layer_reach_the_function(served: RunningGateway) -> None:
    reply = served.request("GET", "/app")
    assert reply.status == 200, reply.body
    assert reply.json() == {
        "env": {"APP_GREETING": "hello world",            # local_start_api's parameter_overrides, over global's
                "APP_STAGE": "local",
                "APP_TABLE": "from-env-json",              # env.json over the template's value
                "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"},   # not declared by the template: set, with a notice
        "layer": "a local copy of the Powertools layer"}


def test_start_up_names_what_differs_from_sam_cli(served: RunningGateway) -> None:
    assert f"{(APP / 'env.json').resolve()}: --env-vars sets variables the template does not declare for these " \
           "functions: AWS_ENDPOINT_URL (AppFunction); lambdagate sets them (SAM CLI leaves them out)" in served.console
    assert f"{(APP / 'samconfig.toml').resolve()}: [default.local_start_api.parameters] docker_network: not used " \
           "by lambdagate" in served.console
    assert "AWSLambdaPowertoolsPythonV2" not in served.console   # mapped: no "cannot be fetched" notice


# -- the file ---------------------------------------------------------------------------------------------------
def test_flags_and_keywords_win_over_the_file() -> None:
    config = config_from({"parameter_overrides": {"Greeting": "given"}, "config_env": "other"},
                         template=APP / "template.yaml")
    assert dict(config.source.parameter_overrides) == {"Greeting": "given"}
    assert config.source.env_vars is None   # [other] has no env_vars and no global table
    args = cli.parser().parse_args(["serve", "--template", str(APP / "template.yaml"), "--port", "4000"])
    args = cli._with_samconfig(cli.parser(), ["serve", "--template", str(APP / "template.yaml"), "--port", "4000"],
                               args)
    assert (args.port, args.parameter_overrides, args.env_vars) == (
        4000, ['Greeting="hello world" Stage=local'], (APP / "env.json").resolve())


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(textwrap.dedent(text))
    return tmp_path


@pytest.mark.parametrize("name, text, values", [
    ("samconfig.toml", """\
        version = 0.1
        [default.global.parameters]
        region = "eu-west-1"
        port = 8080
        [default.local_start_api.parameters]
        port = 3333
        parameter_overrides = ["A=1", "B=two words"]
        no_watch = true
        """, {"region": "eu-west-1", "port": 3333, "parameter_overrides": ["A=1", "B='two words'"], "watch": False}),
    ("samconfig.yaml", """\
        version: 0.1
        default:
          local_start_api:
            parameters:
              host: 0.0.0.0
              template_file: app/template.yaml
        """, {"host": "0.0.0.0", "template": "app/template.yaml"}),
], ids=["toml-command-over-global", "yaml"])
def test_the_file_maps_onto_lambdagates_options(tmp_path: Path, name: str, text: str,
                                                values: dict[str, object]) -> None:
    settings = samconfig.load(write(tmp_path, name, text))
    expected = {k: (tmp_path / v).resolve() if k == "template" else v for k, v in values.items()}
    assert settings.values == expected
    assert settings.path == tmp_path / name


@pytest.mark.parametrize("text, config_file, env, message", [
    ("[default.local_start_api.parameters]\nport = 1\n", None, "default",
     "'version' key is not present or is in unrecognized format"),
    ("version = 0.1\n", Path("other.toml"), "default", "Config file other.toml does not exist or could not be read!"),
    ("version = 0.1\n[default.global.parameters]\nregion = 'x'\n", None, "prod",
     "no environment 'prod' for --config-env (environments: default)"),
    ("version = 0.1\n[default.local_start_api.parameters]\nport = 'x'\n", None, "default",
     "port: expected a port number, got 'x'"),
    ("version = 0.1\n[default\n", None, "default", "not TOML"),
], ids=["no-version", "missing-config-file", "unknown-env", "bad-port", "not-toml"])
def test_a_broken_file_is_one_line(tmp_path: Path, text: str, config_file: Path | None, env: str,
                                   message: str) -> None:
    write(tmp_path, "samconfig.toml", text)
    with pytest.raises(LambdagateError) as info:
        samconfig.load(tmp_path, config_file, env)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_no_file_is_no_settings(tmp_path: Path) -> None:
    assert samconfig.load(tmp_path) == samconfig.Settings({})


# -- --layer ARN=PATH -------------------------------------------------------------------------------------------
def test_a_layer_flag_names_an_arn_and_a_local_copy() -> None:
    from lambdagate.definition.mapping import read_mapping
    arn = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2"
    mapping = read_mapping(None, (), (f"{arn}:79={APP / 'layers' / 'powertools'}",))
    assert mapping.layer(f"{arn}:79") == (APP / "layers" / "powertools").resolve()
    assert mapping.layer(f"{arn}:80") is None
    with pytest.raises(LambdagateError, match="--layer ARN=PATH: expected e.g. arn:aws:lambda:"):
        read_mapping(None, (), ("powertools=./x",))


# -- --parameter-overrides file://... (SAM CLI's samcli/cli/types.py CfnParameterOverridesType) --------------------
def test_parameter_overrides_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "params.yaml", """\
        Env: dev
        Subnets: [a, b]
        Empty: null
        $include: file://more.toml
        """)
    write(tmp_path, "more.toml", 'Greeting = "hello world"\nCount = 3\n')
    monkeypatch.chdir(tmp_path)
    assert cli.parameter_overrides(["file://params.yaml Extra=1"]) == {
        "Env": "dev", "Subnets": "a,b", "Empty": "", "Greeting": "hello world", "Count": "3", "Extra": "1"}
    write(tmp_path, "loop.yaml", "$include: file://loop.yaml\n")
    with pytest.raises(LambdagateError, match="Infinite recursion detected in file references"):
        cli.parameter_overrides(["file://loop.yaml"])
    with pytest.raises(LambdagateError, match="file://.*none.yaml was not found or is a directory"):
        cli.parameter_overrides(["file://none.yaml"])


def test_samconfig_parameter_overrides_as_a_mapping(tmp_path: Path) -> None:
    write(tmp_path, "samconfig.yaml", """\
        version: 0.1
        default:
          local_start_api:
            parameters:
              parameter_overrides:
                Greeting: hello world
                Stage: local
        """)
    values = samconfig.load(tmp_path).values["parameter_overrides"]
    assert cli.parameter_overrides(values) == {"Greeting": "hello world", "Stage": "local"}
