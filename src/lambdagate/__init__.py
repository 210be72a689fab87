"""lambdagate: API Gateway REST APIs with Lambda proxy integration on your machine, exactly as AWS answers."""

from __future__ import annotations

from importlib.metadata import version

from .config import Config, Source
from .sync import Gateway, TestInvokeResult

__version__ = version("lambdagate")
__all__ = ["Config", "Gateway", "Source", "TestInvokeResult", "__version__"]
