"""The `--aws` side of `doctor`, `explain` and `compare`: the deployed API, read with boto3 and the user's
credentials, through read-only calls only.

    access      the boto3 session, READ_ONLY_OPERATIONS and the guard that refuses any other call, AWS errors
    shapes      the parts of AWS's answers read, as TypedDicts
    target      which API and stage: --stack, or --rest-api-id with --stage
    deployed    what a stage serves -> definition.model.deployment.Deployment (+ the packages, the policies, the stage)
    doctor      the doctor's own checks on it, the stage's settings; fixes: the AWS CLI fix of each finding
    logs        CloudWatch Logs of the failed requests -> explain
    compare     the same requests to the stage and to lambdagate; compare_report: text, JSON, CI results
    commands    what the three commands print, and their exit codes
"""
