"""The parts of AWS's answers that lambdagate reads, as the API references define them (API Gateway API_GetStage,
API_GetResources, API_Integration; Lambda API_GetFunction, API_FunctionConfiguration; CloudWatch Logs
API_FilterLogEvents; CloudFormation API_ListStackResources)."""

from __future__ import annotations

from typing import TypedDict


class StackResourceSummary(TypedDict, total=False):
    LogicalResourceId: str
    PhysicalResourceId: str
    ResourceType: str
    ResourceStatus: str


class IntegrationResponse(TypedDict, total=False):
    statusCode: str
    selectionPattern: str
    responseParameters: dict[str, str]
    responseTemplates: dict[str, str]
    contentHandling: str


class Integration(TypedDict, total=False):
    type: str
    httpMethod: str
    uri: str
    credentials: str
    requestParameters: dict[str, str]
    requestTemplates: dict[str, str]
    passthroughBehavior: str
    contentHandling: str
    timeoutInMillis: int
    integrationResponses: dict[str, IntegrationResponse]


class Method(TypedDict, total=False):
    httpMethod: str
    authorizationType: str
    methodIntegration: Integration


class Resource(TypedDict, total=False):
    id: str
    parentId: str
    path: str
    pathPart: str
    resourceMethods: dict[str, Method]


class MethodSetting(TypedDict, total=False):
    loggingLevel: str
    dataTraceEnabled: bool
    metricsEnabled: bool
    throttlingBurstLimit: int
    throttlingRateLimit: float
    cachingEnabled: bool


class AccessLogSettings(TypedDict, total=False):
    format: str
    destinationArn: str


class Stage(TypedDict, total=False):
    deploymentId: str
    stageName: str
    variables: dict[str, str]
    methodSettings: dict[str, MethodSetting]
    accessLogSettings: AccessLogSettings
    tracingEnabled: bool


class RestApi(TypedDict, total=False):
    id: str
    name: str
    binaryMediaTypes: list[str]


class Environment(TypedDict, total=False):
    Variables: dict[str, str]


class Layer(TypedDict, total=False):
    Arn: str
    CodeSize: int


class FunctionConfiguration(TypedDict, total=False):
    FunctionName: str
    FunctionArn: str
    Runtime: str
    Handler: str
    Timeout: int
    MemorySize: int
    Environment: Environment
    Layers: list[Layer]
    Architectures: list[str]
    PackageType: str


class FunctionCodeLocation(TypedDict, total=False):
    RepositoryType: str
    Location: str
    ImageUri: str


class Concurrency(TypedDict, total=False):
    ReservedConcurrentExecutions: int


class GetFunctionResponse(TypedDict, total=False):
    Configuration: FunctionConfiguration
    Code: FunctionCodeLocation
    Concurrency: Concurrency


class FilteredLogEvent(TypedDict, total=False):
    logStreamName: str
    timestamp: int
    message: str
    eventId: str
