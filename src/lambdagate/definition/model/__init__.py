"""One model of what is deployed, whatever the definition format: frozen values, no behaviour.

    location    Location: where a value came from (`template.yaml:14`), for messages
    function    Function, Build; Permission, Condition: a function and its resource policy
    restapi     Api: a REST API, its resources, methods, integrations, stage, gateway responses
    auth        who may call a REST API: authorizers, validators, models, API keys, usage plans
    httpapi     HttpApi: an HTTP API, its routes, integrations, authorizers, stages, CORS
    deployment  Deployment: all of the above that one template deploys
"""
