"""Who may call, and what they must send: the checks API Gateway makes between routing and the integration
(docs/aws-auth.md; docs/auth-integration.md says where the pipeline calls each one).

    identity_sources     the identity of a Lambda or Cognito authorizer: present, non-empty, valid (else 401)
    authorizer_events    the TOKEN and REQUEST events a Lambda authorizer gets; the methodArn
    authorizer_policy    the authorizer's answer read strictly, its policy evaluated as IAM does
    authorizer_cache     its results cached by identity for the TTL
    lambda_authorizer    one Lambda authorizer step: identity, cache, invocation (the pipeline's), decision, log
    cognito              a Cognito user-pool authorizer: the JWT verified, the claims as the integration sees them
    user_pool_keys       the pools' signing keys: a local JWKS file, or fetched from the issuer
    tokens               a local user pool: a key pair, its JWKS, tokens for given claims (`lambdagate tokens`)
    sigv4                AWS_IAM: the SigV4 signature recomputed with botocore, the caller's identity
    api_keys             the API key of a request and its usage plan
    throttling           token buckets and quotas of usage plans, stages and methods
    request_validation   a method's request validator: required parameters, then the body against its model
    masking              how execution logs show secrets: `*` per hidden character, the last 6 shown
"""
