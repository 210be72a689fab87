"""Details of API Gateway's configuration errors that the log alone can give: the permission statement to add (a
console test presents stage `test-invoke-stage` in its SourceArn, fact sheet §4.2, §10.3) and the binary body that
met a mapping template (`Unable to transform request`, §10.13)."""

from __future__ import annotations

import re

from ..arns import execute_api_parts, sam_permission_arn
from .grouping import Story
from .method_request import MethodRequest

_FUNCTION_IN_URI = re.compile(r"functions/(?P<arn>arn:aws[\w-]*:lambda:(?P<region>[^:]+):(?P<account>\d{12}):function:"
                              r"(?P<name>[^:/\s]+))")
TEST_INVOKE_STAGE = "test-invoke-stage"   # the stage of a console test's SourceArn (fact sheet §4.2, §10.3)


def console_test(story: Story, request: MethodRequest) -> bool:
    """The console's Test button (TestInvokeMethod): its log is stamped and starts `Execution log for request`."""
    return (f"/{TEST_INVOKE_STAGE}/" in (request.source_arn or "") or story.request_id == "test-invoke-request" or
            any(line.stamped for line in story.lines))


def permission_details(story: Story, request: MethodRequest) -> list[str]:
    """The statement to add, with what the log says of the function, the API, the method and the resource (the
    logged X-Amz-Source-Arn names them all)."""
    function = next((m for line in story.lines for m in [_FUNCTION_IN_URI.search(line.text)] if m), None)
    region = function.group("region") if function else "<region>"
    account = function.group("account") if function else "<account-id>"
    api_id, stage, verb, resource = "<api-id>", None, request.verb or "<METHOD>", request.resource
    presented = execute_api_parts(request.source_arn or "")
    if presented is not None and len(presented) == 6:
        region, account, api_id, stage, verb = presented[:5]
        resource = "/" + presented[5]
    out = []
    console = console_test(story, request)
    if console:
        shown = f"{api_id}/{TEST_INVOKE_STAGE}/{verb}/{(resource or '<resource path>').lstrip('/')}"
        out.append(f"this is a console test (Test in the API Gateway console): API Gateway calls the function with "
                   f"SourceArn arn:aws:execute-api:{region}:{account}:{shown}, which a statement naming one stage "
                   "(e.g. .../prod/...) does not match: the deployed stage may work while the console test fails")
    if resource is None and request.path:
        out.append(f"the log shows the request's path {request.path}; the SourceArn holds the resource template "
                   "(/items/{id}, not /items/42)")
    name = function.group("name") if function else "<function>"
    arn = sam_permission_arn(region, account, api_id, verb, resource or "<resource path>")
    one = f"; for the console test alone, {TEST_INVOKE_STAGE} in place of the first *" if console else \
        (f"; for stage {stage} alone, {stage} in place of the first *" if stage else "")
    out.append(f"statement to add (every stage, {TEST_INVOKE_STAGE} included): `aws lambda add-permission "
               f"--function-name {name} --statement-id apigateway-any-stage --action lambda:InvokeFunction "
               f"--principal apigateway.amazonaws.com --source-arn \"{arn}\"`{one}")
    return out


def transform_details(request: MethodRequest) -> list[str]:
    out = []
    if request.binary_body:
        out.append("the log shows `Method request body before transformations: [Binary Data]`: API Gateway treated "
                   "the body as binary, because the request's Content-Type (or its absence) matches binaryMediaTypes")
    if request.verb == "OPTIONS":
        out.append(f"OPTIONS {request.path or ''}: a CORS preflight, answered by the MOCK integration that SAM's Cors, "
                   "CDK's addCorsPreflight or the console's Enable CORS create, with a request template and no "
                   "contentHandling")
    elif request.verb:
        out.append(f"{request.verb} {request.path or ''}: a method with a non-proxy integration (a Lambda proxy "
                   "integration has no mapping template to fail)")
    return out
