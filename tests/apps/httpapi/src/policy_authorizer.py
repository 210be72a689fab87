def handler(event, context):
    """An IAM-policy answer (payload 2.0 without simple responses): allows the route ARN it was given when the token
    is "allow", allows only POST routes when it is "post-only", denies it when it is "deny"."""
    token = event["identitySource"][0]
    arn = event["routeArn"]
    resource = arn.rsplit("/", 3)[0] + "/*/POST/*" if token == "post-only" else arn
    effect = "Deny" if token == "deny" else "Allow"
    return {"principalId": "user-" + token, "context": {"tier": "gold", "count": 3},
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}
