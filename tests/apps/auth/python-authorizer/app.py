"""A TOKEN and a REQUEST authorizer in one function (aws-auth.md §1.3, §1.4); `invocation` counts this environment's
invocations, so that a cached answer is seen to be the same one."""

invocations = 0


def policy(effect, arn):
    everything = "/".join(arn.split("/")[:2]) + "/*"
    return {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect,
                                                      "Resource": everything}]}


def handler(event, context):
    global invocations
    invocations += 1
    if event["type"] == "TOKEN":
        token = event["authorizationToken"]
        if token == "Unauthorized":
            raise Exception("Unauthorized")
        if token == "error":
            raise ValueError("the token service is down")
        effect = "Allow" if token == "allow" else "Deny"
        return {"principalId": "py-user", "policyDocument": policy(effect, event["methodArn"]),
                "context": {"invocation": invocations, "keys": ",".join(sorted(event))}}
    user = event["headers"]["X-User"]
    tenant = event["queryStringParameters"]["tenant"]
    effect = "Deny" if user == "mallory" else "Allow"
    return {"principalId": user, "policyDocument": policy(effect, event["methodArn"]),
            "context": {"tenant": tenant, "invocation": invocations, "hasBody": "body" in event,
                        "type": event["type"]}}
