"""`Ref` and `Fn::GetAtt` of resources lambdagate does not run (tables, queues, topics, buckets, user pools, roles,
...): the value CloudFormation would give, in shape, so that code reading it from an environment variable sees what
it sees on AWS (a queue's URL, a topic's ARN, a table's name). Start-up names each placeholder used.

The shapes are those of the CloudFormation template reference, "Return values" of each resource type
(awsdocs/aws-cloudformation-user-guide, doc_source/aws-resource-<service>-<type>.md as archived in December 2023):
e.g. AWS::SQS::Queue `Ref` "returns the queue URL" (`https://sqs.us-east-2.amazonaws.com/123456789012/ab1-MyQueue-
A2BCDEF3GHI4`), AWS::SNS::Topic `Ref` "returns the topic ARN", AWS::DynamoDB::Table `Ref` the table name and `Arn`
`arn:aws:dynamodb:us-east-2:123456789012:table/myDynamoDBTable`, AWS::Cognito::UserPool `Ref` "a generated ID, such as
us-east-2_zgaEXAMPLE", AWS::SecretsManager::Secret `Ref` the secret's ARN `...:secret:my-path/my-secret-name-1a2b3c`.

Names: the resource's name property when the template gives one; otherwise CloudFormation generates one
(`mystack-myqueue-15PG5C2FC1CW8`), which lambdagate stands in for by the logical id (lower case where the service
wants it), prefixed in a nested stack by the stack's path. Generated ids (a user pool's, a key's) are derived from
the stack and logical id, so they are the same at every start.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

_ARN = "arn:{partition}:"
_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Kind:
    """How one resource type answers `Ref` and `Fn::GetAtt`: format strings over {name}, {region}, {account},
    {partition}, {suffix} (amazonaws.com) and generated ids ({id6}, {id10}, {id26}, {ID13}, {hex17}, {uuid}, {rand9},
    {b64_6}); `name_property` names the property that sets {name}; `property:X` reads property X."""

    ref: str
    attributes: dict[str, str] = field(default_factory=dict)
    name_property: str | None = None
    lower: bool = False


TABLE = Kind("{name}", {"Arn": _ARN + "dynamodb:{region}:{account}:table/{name}",
                        "StreamArn": _ARN + "dynamodb:{region}:{account}:table/{name}/stream/2024-01-01T00:00:00.000"},
             "TableName")
STATE_MACHINE = _ARN + "states:{region}:{account}:stateMachine:{name}"

KINDS: dict[str, Kind] = {
    "AWS::DynamoDB::Table": TABLE,
    "AWS::Serverless::SimpleTable": TABLE,   # SAM makes it an AWS::DynamoDB::Table of the same logical id
    "AWS::DynamoDB::GlobalTable": Kind(TABLE.ref, {**TABLE.attributes, "TableId": "{uuid}"}, "TableName"),
    "AWS::SQS::Queue": Kind("https://sqs.{region}.{suffix}/{account}/{name}", {
        "Arn": _ARN + "sqs:{region}:{account}:{name}", "QueueName": "{name}",
        "QueueUrl": "https://sqs.{region}.{suffix}/{account}/{name}"}, "QueueName"),
    "AWS::SNS::Topic": Kind(_ARN + "sns:{region}:{account}:{name}", {
        "TopicArn": _ARN + "sns:{region}:{account}:{name}", "TopicName": "{name}"}, "TopicName"),
    "AWS::S3::Bucket": Kind("{name}", {
        "Arn": _ARN + "s3:::{name}", "DomainName": "{name}.s3.{suffix}",
        "DualStackDomainName": "{name}.s3.dualstack.{region}.{suffix}",
        "RegionalDomainName": "{name}.s3.{region}.{suffix}",
        "WebsiteURL": "http://{name}.s3-website.{region}.{suffix}"}, "BucketName", lower=True),
    "AWS::Cognito::UserPool": Kind("{region}_{rand9}", {
        "Arn": _ARN + "cognito-idp:{region}:{account}:userpool/{region}_{rand9}",
        "ProviderName": "cognito-idp.{region}.{suffix}/{region}_{rand9}",
        "ProviderURL": "https://cognito-idp.{region}.{suffix}/{region}_{rand9}", "UserPoolId": "{region}_{rand9}"}),
    "AWS::Cognito::UserPoolClient": Kind("{id26}", {"ClientId": "{id26}", "Name": "{name}"}, "ClientName"),
    "AWS::Cognito::IdentityPool": Kind("{region}:{uuid}", {"Name": "{name}"}, "IdentityPoolName"),
    "AWS::IAM::Role": Kind("{name}", {"Arn": _ARN + "iam::{account}:role/{name}", "RoleId": "AROA{ID17}"},
                           "RoleName"),
    "AWS::IAM::ManagedPolicy": Kind(_ARN + "iam::{account}:policy/{name}", {
        "PolicyArn": _ARN + "iam::{account}:policy/{name}", "PolicyId": "ANPA{ID17}"}, "ManagedPolicyName"),
    "AWS::IAM::Policy": Kind("{name}", {"Id": "{name}"}, "PolicyName"),
    "AWS::IAM::InstanceProfile": Kind("{name}", {"Arn": _ARN + "iam::{account}:instance-profile/{name}"},
                                      "InstanceProfileName"),
    "AWS::Events::EventBus": Kind("{name}", {"Arn": _ARN + "events:{region}:{account}:event-bus/{name}",
                                             "Name": "{name}"}, "Name"),
    "AWS::Events::Rule": Kind("{name}", {"Arn": _ARN + "events:{region}:{account}:rule/{name}"}, "Name"),
    "AWS::Events::Archive": Kind("{name}", {"Arn": _ARN + "events:{region}:{account}:archive/{name}"}, "ArchiveName"),
    "AWS::Scheduler::Schedule": Kind("{name}", {"Arn": _ARN + "scheduler:{region}:{account}:schedule/default/{name}"},
                                     "Name"),
    "AWS::StepFunctions::StateMachine": Kind(STATE_MACHINE, {"Arn": STATE_MACHINE, "Name": "{name}"},
                                             "StateMachineName"),
    "AWS::Serverless::StateMachine": Kind(STATE_MACHINE, {"Arn": STATE_MACHINE, "Name": "{name}"}, "Name"),
    "AWS::Kinesis::Stream": Kind("{name}", {"Arn": _ARN + "kinesis:{region}:{account}:stream/{name}"}, "Name"),
    "AWS::KinesisFirehose::DeliveryStream": Kind("{name}", {
        "Arn": _ARN + "firehose:{region}:{account}:deliverystream/{name}"}, "DeliveryStreamName"),
    "AWS::SecretsManager::Secret": Kind(_ARN + "secretsmanager:{region}:{account}:secret:{name}-{b64_6}", {
        "Id": _ARN + "secretsmanager:{region}:{account}:secret:{name}-{b64_6}"}, "Name"),
    "AWS::SSM::Parameter": Kind("{name}", {"Type": "property:Type", "Value": "property:Value"}, "Name"),
    "AWS::KMS::Key": Kind("{uuid}", {"Arn": _ARN + "kms:{region}:{account}:key/{uuid}", "KeyId": "{uuid}"}),
    "AWS::EC2::VPC": Kind("vpc-{hex17}", {"VpcId": "vpc-{hex17}", "CidrBlock": "property:CidrBlock",
                                          "DefaultSecurityGroup": "sg-{hex17}"}),
    "AWS::EC2::Subnet": Kind("subnet-{hex17}", {"SubnetId": "subnet-{hex17}", "AvailabilityZone": "{region}a",
                                                "CidrBlock": "property:CidrBlock"}),
    "AWS::EC2::SecurityGroup": Kind("sg-{hex17}", {"GroupId": "sg-{hex17}"}),
    "AWS::Lambda::Url": Kind("{name}", {"FunctionUrl": "https://{id26}{hex17}.lambda-url.{region}.on.aws/"}),
    "AWS::ApiGateway::ApiKey": Kind("{id10}", {"APIKeyId": "{id10}"}),
    "AWS::ApiGateway::UsagePlan": Kind("{id6}", {"Id": "{id6}"}),
    "AWS::ApiGateway::Authorizer": Kind("{id6}", {"AuthorizerId": "{id6}"}),
    "AWS::ApiGateway::DomainName": Kind("{name}", {
        "DistributionDomainName": "d{id13}.cloudfront.net", "DistributionHostedZoneId": "Z2FDTNDATAQYW2",
        "RegionalDomainName": "d-{id10}.execute-api.{region}.{suffix}"}, "DomainName"),
    "AWS::AppSync::GraphQLApi": Kind(_ARN + "appsync:{region}:{account}:apis/{id26}", {
        "ApiId": "{id26}", "Arn": _ARN + "appsync:{region}:{account}:apis/{id26}",
        "GraphQLUrl": "https://{id26}.appsync-api.{region}.{suffix}/graphql",
        "GraphQLDns": "{id26}.appsync-api.{region}.{suffix}",
        "RealtimeUrl": "wss://{id26}.appsync-realtime-api.{region}.{suffix}/graphql",
        "RealtimeDns": "{id26}.appsync-realtime-api.{region}.{suffix}"}),
    "AWS::CloudFront::Distribution": Kind("E{ID13}", {"DomainName": "d{id13}.cloudfront.net", "Id": "E{ID13}"}),
    "AWS::ECR::Repository": Kind("{name}", {"Arn": _ARN + "ecr:{region}:{account}:repository/{name}",
                                            "RepositoryUri": "{account}.dkr.ecr.{region}.{suffix}/{name}"},
                                 "RepositoryName", lower=True),
    "AWS::CloudWatch::Alarm": Kind("{name}", {"Arn": _ARN + "cloudwatch:{region}:{account}:alarm:{name}"},
                                   "AlarmName"),
    "AWS::MSK::Cluster": Kind(_ARN + "kafka:{region}:{account}:cluster/{name}/{uuid}-2", {
        "Arn": _ARN + "kafka:{region}:{account}:cluster/{name}/{uuid}-2"}, "ClusterName"),
    "AWS::ApiGatewayV2::Api": Kind("{id10}", {"ApiId": "{id10}",
                                              "ApiEndpoint": "https://{id10}.execute-api.{region}.{suffix}"}),
    # AWS::CloudFormation::Stack: `Ref` "returns the stack ID" (doc_source/aws-properties-stack.md)
    "AWS::CloudFormation::Stack": Kind(_ARN + "cloudformation:{region}:{account}:stack/{name}/{uuid}"),
    "AWS::Serverless::Application": Kind(_ARN + "cloudformation:{region}:{account}:stack/{name}/{uuid}"),
}


@dataclass(frozen=True)
class Placeholder:
    expression: str          # `Table` or `Table.Arn`
    value: str
    kind: str                # the resource type
    known: bool              # False: a type or attribute whose shape lambdagate does not know


def generated(seed: str) -> dict[str, str]:
    """Ids derived from `seed` in the shapes AWS uses (stable across starts)."""
    digest = hashlib.sha256(seed.encode()).digest()
    number = int.from_bytes(digest, "big")

    def alnum(n: int, alphabet: str = _ALNUM) -> str:
        out, value = [], number
        for _ in range(n):
            value, r = divmod(value, len(alphabet))
            out.append(alphabet[r])
        return "".join(out)

    hexdigest = digest.hex()
    mixed = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return {"id6": alnum(6), "id10": alnum(10), "id13": alnum(13), "id26": alnum(26), "ID13": alnum(13).upper(),
            "ID17": alnum(17).upper(), "hex17": hexdigest[:17], "rand9": alnum(9, mixed), "b64_6": alnum(6, mixed),
            "uuid": f"{hexdigest[:8]}-{hexdigest[8:12]}-4{hexdigest[13:16]}-a{hexdigest[17:20]}-{hexdigest[20:32]}"}


def physical_name(kind: Kind, logical_id: str, properties: dict[str, Any], resolved_name: str | None,
                  prefix: str) -> str:
    """The name property's value, else the logical id standing in for the generated name; a FIFO queue's or topic's
    name ends in `.fifo` (SQS and SNS require it)."""
    name = resolved_name if resolved_name is not None else prefix + logical_id
    if kind.lower:
        name = re.sub(r"[^a-z0-9.-]", "-", name.lower())
    fifo = properties.get("FifoQueue", properties.get("FifoTopic"))
    if resolved_name is None and str(fifo).lower() == "true" and not name.endswith(".fifo"):
        name += ".fifo"
    return name


def fill(pattern: str, fields: dict[str, str]) -> str:
    return pattern.format(**fields)
