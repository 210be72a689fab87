"""Definitions as users have them -> one frozen model of what is deployed (model/), whatever the format.

    model           the frozen values: location, function, restapi, auth, httpapi, deployment

    loader          which reader a file needs (content, not name); what every deployment gets on top (mapping,
                    policies, start-up warnings); `load(Source)`
    template        YAML with CloudFormation's short tags, or JSON, with the line of every field for messages
    stack           a CloudFormation template as CloudFormation reads it: resources, parameters, Ref/GetAtt
    intrinsics      the intrinsic functions and conditions
    cloudformation  plain CloudFormation and CDK synth output; sam: SAM templates on top of it
    restapi         AWS::ApiGateway::* resources; openapi: OpenAPI 3 / Swagger 2 with API Gateway's extensions;
                    openapi_file: an OpenAPI export served on its own (--openapi)
    lambdas         functions, layers and permissions; code: where their code is on this machine
    stages          which stage is served, its variables and settings; cors: SAM's Cors as MOCK preflights
    mapping         --function / --mapping; policy: --policy (`aws lambda get-policy` output), the one reader
    resource_ids    API, resource and deployment ids that stay the same from run to run
"""
