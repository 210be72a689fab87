"""The pytest plugin as a user meets it: a project with a template, a pyproject.toml that names it, and tests that
ask for `lambdagate_gateway` — run by pytest in a subprocess."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from conftest import APPS

pytest_plugins = ["pytester"]

USER_TESTS = '''
import urllib.request

import pytest


def test_in_process(lambdagate_gateway):
    r = lambdagate_gateway.request("GET", "/hello")
    assert (r.status, r.body) == (200, "hi from ini"), r.log


def test_over_http(lambdagate_gateway):
    with urllib.request.urlopen(lambdagate_gateway.url + "/hello") as reply:
        assert reply.read() == b"hi from ini"


def test_the_same_gateway_is_shared(lambdagate_gateway, request):
    assert lambdagate_gateway is request.getfixturevalue("lambdagate_gateway")


@pytest.mark.lambdagate(parameter_overrides={"Greeting": "hi from the marker"})
def test_a_marker_chooses_another(lambdagate_gateway):
    assert lambdagate_gateway.request("GET", "/hello").body == "hi from the marker"
'''


def test_the_fixture_from_pyproject_and_a_marker(pytester: pytest.Pytester) -> None:
    shutil.copytree(APPS / "plugin", pytester.path / "app")
    pytester.makepyprojecttoml(textwrap.dedent("""
        [tool.pytest.ini_options]
        lambdagate_template = "app/template.yaml"
        lambdagate_options = ["watch=false", "parameter_overrides=Greeting=hi from ini"]
        addopts = "--strict-markers"
        """))
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
