"""Which deployed API and stage a command looks at: `--rest-api-id ID --stage S`, or `--stack NAME` (its
AWS::ApiGateway::RestApi resources, SAM's implicit ServerlessRestApi included, and their stages).

CloudFormation names a RestApi's physical id by the API id, a Stage's by the stage name (CloudFormation template
reference, AWS::ApiGateway::RestApi / AWS::ApiGateway::Stage `Ref`). A stage that a Deployment's StageName created
is no resource of the stack: the API's stages are then read with GetStages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from ..errors import LambdagateError
from .access import AwsAccess
from .shapes import StackResourceSummary, Stage


@dataclass(frozen=True)
class StageRef:
    api_id: str
    stage: str
    region: str
    name: str                  # the API's logical id in the stack, or its id
    stack: str | None = None

    @property
    def arn(self) -> str:
        """The stage's ARN (AGDG arn-format-reference.html)."""
        return f"arn:aws:apigateway:{self.region}::/restapis/{self.api_id}/stages/{self.stage}"

    @property
    def url(self) -> str:
        """The stage's default invoke URL (AGDG how-to-call-api.html)."""
        return f"https://{self.api_id}.execute-api.{self.region}.amazonaws.com/{self.stage}"

    def __str__(self) -> str:
        where = f"stack {self.stack}, " if self.stack else ""
        return f"{where}API {self.api_id} ({self.name}), stage {self.stage}"


def resolve(access: AwsAccess, stack: str | None, rest_api_id: str | None, stage: str | None) -> list[StageRef]:
    if stack and rest_api_id:
        raise LambdagateError("--stack and --rest-api-id: name the API one way")
    if rest_api_id:
        return [StageRef(rest_api_id, stage or _only_stage(access, rest_api_id), access.region, rest_api_id)]
    if not stack:
        raise LambdagateError("--aws needs --stack NAME, or --rest-api-id ID with --stage NAME")
    resources = [cast(StackResourceSummary, r) for r in
                 access.pages("cloudformation", "list_stack_resources", "StackResourceSummaries", StackName=stack)]
    apis = [(r.get("LogicalResourceId", ""), r.get("PhysicalResourceId", "")) for r in resources
            if r.get("ResourceType") == "AWS::ApiGateway::RestApi" and r.get("PhysicalResourceId")]
    if not apis:
        types = sorted({r.get("ResourceType", "") for r in resources})
        raise LambdagateError(f"stack {stack} has no AWS::ApiGateway::RestApi (its resources: {', '.join(types)})")
    stages = [r.get("PhysicalResourceId", "") for r in resources if r.get("ResourceType") == "AWS::ApiGateway::Stage"]
    out = []
    for logical_id, api_id in apis:
        names = [stage] if stage else _stages(access, api_id, stages)
        out += [StageRef(api_id, name, access.region, logical_id, stack) for name in names]
    return out


def _stages(access: AwsAccess, api_id: str, in_stack: list[str]) -> list[str]:
    existing = [str(s.get("stageName", "")) for s in _all_stages(access, api_id)]
    chosen = [name for name in existing if name in in_stack]
    return chosen or existing


def _only_stage(access: AwsAccess, api_id: str) -> str:
    names = [str(s.get("stageName", "")) for s in _all_stages(access, api_id)]
    if len(names) == 1:
        return names[0]
    raise LambdagateError(f"API {api_id} has {'no stage' if not names else 'stages ' + ', '.join(names)}: pass "
                          "--stage NAME")


def _all_stages(access: AwsAccess, api_id: str) -> list[Stage]:
    answer = access.call("apigateway", "get_stages", missing_ok=True, restApiId=api_id)
    if answer is None:
        raise LambdagateError(f"no REST API {api_id} in {access.region} (GetStages: not found); check --region")
    return [cast(Stage, s) for s in answer.get("item", [])]
