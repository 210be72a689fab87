"""lambdagate: API Gateway REST APIs with Lambda proxy integration on your machine, exactly as AWS answers."""

from __future__ import annotations

from .local import Gateway, TestInvokeResult

__version__ = "0.1.0"
__all__ = ["Gateway", "TestInvokeResult", "__version__"]
