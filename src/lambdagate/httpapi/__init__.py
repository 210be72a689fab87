"""HTTP APIs (API Gateway v2, `ProtocolType: HTTP`) as AWS answers them; the facts are docs/aws-http-api.md.

| module | what it does | sheet |
|---|---|---|
| `routing` | stage by first path segment or `$default`, decoded path, route priority, `$default` route | §2 |
| `request` | ids (the 16-character `apigw-requestid`), headers, cookies, query, body by content type | §3.2-§3.6 |
| `event` | the payload 2.0 event (`EventV2`), empty fields omitted | §3 |
| `event_v1` | payload 1.0 on an HTTP API: REST's shape with its differences | §4 |
| `result` | 2.0 inferred and structured results, 1.0 results; malformed -> 500 | §5 |
| `errors` | the error catalogue (`HttpApiError`): 404, 500, 503, 401, 403, 429, 413, 400 | §6 |
| `cors` | preflight answers and response headers from `CorsConfiguration` | §8 |
| `identity`, `jwt_authorizer`, `lambda_authorizer` | authorizer identity sources and decisions | §9 |
| `throttling` | stage / route token buckets -> 429 | §10.3 |
| `invocation` | the injected invoker with closed results, the integration timeout, SourceArns | §1.7, §10.1 |
| `record` | `HttpApiExchange`, one request's story, and `Reached` | |
| `access_log`, `metrics` | `$context` variables and the access-log line; the metric sample | §7, §11 |
| `gateway` | `HttpApiGateway.handle`: the steps in order | |

docs/http-api-integration.md says how the server, the observers, `explain` and `doctor` connect to it.
"""

from __future__ import annotations

from .gateway import HttpApiGateway
from .invocation import Answered, FunctionFailed, Invoked, Invoker, Throttled, Unavailable
from .record import HttpApiExchange, Reached

__all__ = ["Answered", "FunctionFailed", "HttpApiExchange", "HttpApiGateway", "Invoked", "Invoker", "Reached",
           "Throttled", "Unavailable"]
