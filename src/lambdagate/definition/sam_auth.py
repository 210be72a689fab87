"""SAM's `Auth` on an `AWS::Serverless::Api` (and `Globals.Api.Auth`) and on each Api event, as SAM translates it
(aws/serverless-application-model samtranslator/model/api/api_generator.py, swagger/swagger.py; aws-auth.md §4.4,
§6.1):

- `Authorizers`: a Lambda one (`FunctionArn`, `FunctionPayloadType` TOKEN (default) | REQUEST, `FunctionInvokeRole`,
  `Identity`) or a Cognito one (`UserPoolArn`: one ARN or a list, `AuthorizationScopes`, `Identity`). `Identity`:
  `Header` (default `Authorization`), `ValidationExpression` (TOKEN and Cognito), `ReauthorizeEvery` (the TTL,
  default 300); REQUEST: `Headers`, `QueryStrings`, `StageVariables`, `Context`, emitted in that order. A REQUEST
  authorizer without any of them is refused unless `ReauthorizeEvery: 0`.
- A Lambda authorizer without `FunctionInvokeRole` gets a permission for `<apiId>/authorizers/*`.
- `DefaultAuthorizer` (an authorizer's name or `AWS_IAM`) applies to every method without its own authorizer,
  OPTIONS preflights too unless `AddDefaultAuthorizerToCorsPreflight: false`; `ApiKeyRequired` likewise
  (`AddApiKeyRequiredToCorsPreflight`).
- Per event `Auth`: `Authorizer` (a name, `AWS_IAM`, or `NONE`, which needs a DefaultAuthorizer),
  `AuthorizationScopes` (else the Cognito authorizer's), `ApiKeyRequired`.
- `Models` (name -> JSON Schema) and per event `RequestModel` {Model, Required, ValidateBody, ValidateParameters}
  and `RequestParameters` (`method.request.<location>.<name>` strings, or mappings to {Required, Caching}); a
  validator exists only when ValidateBody or ValidateParameters is given, named `body-and-params`, `body-only`,
  `params-only` or `no-validation`.
- `UsagePlan.CreateUsagePlan` PER_API | SHARED | NONE (usage_plans.py).
- `ResourcePolicy` is not evaluated: lambdagate says so at start-up.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import auth, usage_plans
from .model.auth import ApiKey, Authorizer, MethodAuth, MethodRequest, Model, RequestValidator, UsagePlan
from .model.function import Permission
from .model.restapi import Method
from .openapi import InvalidDefinition, function_arn_of
from .resource_ids import api_id, authorizer_id, request_validator_id
from .security import ApiSecurity
from .stack import Keys, Stack
from .validators import check_parameter

NONE = "NONE"
AWS_IAM = "AWS_IAM"
_VALIDATOR_NAMES = {(True, True): "body-and-params", (True, False): "body-only", (False, True): "params-only",
                    (False, False): "no-validation"}


def _flag(value: Any, default: bool) -> bool:
    return default if value is None else value is True or str(value).lower() == "true"


def _list(value: Any, keys: Keys) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [value]
    raise InvalidDefinition(keys, f"expected a list of names, got {value!r}")


class SamApiAuth:
    """One SAM API's `Auth`, `Models` and `ApiKeySourceType`, and its events' `Auth`, `RequestModel` and
    `RequestParameters`, onto its methods."""

    def __init__(self, stack: Stack, props: dict[str, Any], keys: Keys, ident: str) -> None:
        self.s = stack
        self.keys = keys
        self.security = ApiSecurity(ident)
        self._events: set[tuple[str, str]] = set()
        akeys = keys + ("Auth",)
        spec = stack.resolve(props.get("Auth") or {}, akeys)
        if not isinstance(spec, dict):
            raise stack.t.error(akeys, "Auth is a mapping (Authorizers, DefaultAuthorizer, ApiKeyRequired, ...)")
        self.spec = spec
        try:
            for name, entry in (spec.get("Authorizers") or {}).items():
                self.security.authorizers[str(name)] = self._authorizer(str(name), entry,
                                                                        akeys + ("Authorizers", name))
            self.default = spec.get("DefaultAuthorizer")
            if self.default is not None and self.default != AWS_IAM and self.default not in self.security.authorizers:
                raise InvalidDefinition(akeys + ("DefaultAuthorizer",), f"Unable to set DefaultAuthorizer because "
                                        f"'{self.default}' was not defined in 'Authorizers'.")   # SAM's message
            models = stack.resolve(props.get("Models") or {}, keys + ("Models",))
            if not isinstance(models, dict):
                raise InvalidDefinition(keys + ("Models",), "Models maps a model name to its JSON Schema")
            self.security.models += [Model(str(n), dict(s) if isinstance(s, dict) else {}) for n, s in models.items()]
            if "ApiKeySourceType" in props:
                self.security.api_key_source = auth.api_key_source(  # type: ignore[assignment]  # checked there
                    stack.resolve(props["ApiKeySourceType"], keys), keys + ("ApiKeySourceType",))
        except InvalidDefinition as e:
            raise stack.t.error(e.keys, e.message) from None
        self.api_key_required = _flag(spec.get("ApiKeyRequired"), False)
        if "ResourcePolicy" in spec:
            stack.warn(akeys + ("ResourcePolicy",), "Auth.ResourcePolicy is not evaluated by lambdagate: every "
                       "caller the policy would refuse is let through")

    def _authorizer(self, name: str, entry: Any, keys: Keys) -> Authorizer:
        if not isinstance(entry, dict) or ("FunctionArn" in entry) == ("UserPoolArn" in entry):
            raise InvalidDefinition(keys, f"authorizer {name} needs either FunctionArn (a Lambda authorizer) or "
                                    "UserPoolArn (a Cognito one)")
        identity = entry.get("Identity") or {}
        if not isinstance(identity, dict):
            raise InvalidDefinition(keys + ("Identity",), "Identity is a mapping")
        ttl = auth.ttl_of(identity.get("ReauthorizeEvery"), keys + ("Identity", "ReauthorizeEvery"))
        expression = identity.get("ValidationExpression")
        header = f"method.request.header.{identity.get('Header') or 'Authorization'}"
        ident = authorizer_id(self.security.api_id, name)
        location = self.s.location(*keys)
        if "UserPoolArn" in entry:
            arns = _list(entry["UserPoolArn"], keys + ("UserPoolArn",))
            return auth.check_authorizer(Authorizer(
                ident, name, "COGNITO_USER_POOLS", None, "", None, (header,),
                None if expression is None else str(expression), ttl, tuple(arns), "cognito_user_pools", location),
                keys)
        arn = str(entry["FunctionArn"])
        kind = str(entry.get("FunctionPayloadType") or "TOKEN").upper()
        if kind not in ("TOKEN", "REQUEST"):
            raise InvalidDefinition(keys + ("FunctionPayloadType",), f"FunctionPayloadType is TOKEN or REQUEST, got "
                                    f"{entry.get('FunctionPayloadType')!r}")
        uri = f"arn:aws:apigateway:{self.s.o.region}:lambda:path/2015-03-31/functions/{arn}/invocations"
        if kind == "REQUEST":
            sources = tuple(
                [f"method.request.header.{h}" for h in _list(identity.get("Headers"), keys)] +
                [f"method.request.querystring.{q}" for q in _list(identity.get("QueryStrings"), keys)] +
                [f"stageVariables.{v}" for v in _list(identity.get("StageVariables"), keys)] +
                [f"context.{c}" for c in _list(identity.get("Context"), keys)])
            if not sources and ttl != 0:   # SAM's message
                raise InvalidDefinition(keys + ("Identity",), f"{name} Authorizer must specify Identity with at "
                                        "least one of Headers, QueryStrings, StageVariables, or Context.")
            expression = None   # SAM emits it for TOKEN and Cognito only
        else:
            sources = (header,)
        role = entry.get("FunctionInvokeRole")
        return auth.check_authorizer(Authorizer(
            ident, name, kind, function_arn_of(uri), uri, None if role is None else str(role),  # type: ignore[arg-type]
            sources, None if expression is None else str(expression), ttl, (), "custom", location), keys)

    # -- methods -----------------------------------------------------------------------------------------------
    def _auth(self, name: Any, scopes: list[str] | None, api_key: bool, where: str, keys: Keys) -> MethodAuth:
        if name is None or name == NONE:
            return MethodAuth(api_key_required=api_key)
        if name == AWS_IAM:
            return MethodAuth("AWS_IAM", api_key_required=api_key)
        authorizer = self.security.authorizers.get(str(name))
        if authorizer is None:   # SAM's messages
            if not self.security.authorizers:
                raise self.s.t.error(keys, f"Unable to set Authorizer [{name}] on API method {where} because the "
                                     "related API does not define any Authorizers.")
            raise self.s.t.error(keys, f"Unable to set Authorizer [{name}] on API method {where} because it wasn't "
                                 "defined in the API's Authorizers.")
        if authorizer.type == "COGNITO_USER_POOLS":
            default_scopes = _list(self.spec["Authorizers"][authorizer.name].get("AuthorizationScopes"), keys)
            return MethodAuth("COGNITO_USER_POOLS", authorizer.id,
                              tuple(default_scopes if scopes is None else scopes), api_key)
        return MethodAuth("CUSTOM", authorizer.id, (), api_key)

    def event_method(self, method: Method, path: str, event: dict[str, Any], keys: Keys) -> Method:
        """An Api event's method with its `Auth`, `RequestModel` and `RequestParameters`."""
        self._events.add((path, method.http_method))
        spec = self.s.resolve(event.get("Auth") or {}, keys + ("Auth",))
        where = f"[{method.http_method.lower()}] for path [{path}]"
        name = spec.get("Authorizer", self.default) if isinstance(spec, dict) else self.default
        if name == NONE and self.default is None:   # SAM's message
            raise self.s.t.error(keys + ("Auth", "Authorizer"), f"Unable to set Authorizer on API method {where} "
                                 "because 'NONE' is only a valid value when a DefaultAuthorizer on the API is "
                                 "specified.")
        scopes = spec.get("AuthorizationScopes") if isinstance(spec, dict) else None
        api_key = _flag(spec.get("ApiKeyRequired") if isinstance(spec, dict) else None, self.api_key_required)
        method_auth = self._auth(name, None if scopes is None else _list(scopes, keys), api_key, where,
                                 keys + ("Auth",))
        return replace(method, auth=method_auth, request=self._request(event, keys, where))

    def _request(self, event: dict[str, Any], keys: Keys, where: str) -> MethodRequest:
        parameters: list[tuple[str, bool]] = []
        for i, item in enumerate(self.s.resolve(event.get("RequestParameters") or [], keys)):
            entries = item.items() if isinstance(item, dict) else [(item, {})]
            for name, settings in entries:
                parameters.append((str(name), isinstance(settings, dict) and _flag(settings.get("Required"), False)))
                problem = check_parameter(str(name))
                if problem:
                    raise self.s.t.error(keys + ("RequestParameters", i), problem)
        model = self.s.resolve(event.get("RequestModel"), keys + ("RequestModel",))
        if not isinstance(model, dict):
            return MethodRequest(None, tuple(parameters), ())
        name = str(model.get("Model"))
        if not any(m.name == name for m in self.security.models):   # SAM's message
            raise self.s.t.error(keys + ("RequestModel", "Model"), f"Unable to set RequestModel [{name}] on API "
                                 f"method {where} because it wasn't defined in the API's Models.")
        validator = None
        body, params = model.get("ValidateBody"), model.get("ValidateParameters")
        if body is not None or params is not None:
            flags = (_flag(body, False), _flag(params, False))
            label = _VALIDATOR_NAMES[flags]
            validator = self.security.request_validators.setdefault(label, RequestValidator(
                request_validator_id(self.security.api_id, label), label, *flags))
        return MethodRequest(validator.id if validator else None, tuple(parameters),
                             (("application/json", name),))

    def finish(self, methods: dict[str, dict[str, Method]]) -> None:
        """The API-wide defaults on methods that did not come from events (the definition's, CORS preflights)."""
        for path, verbs in methods.items():
            for verb, method in verbs.items():
                if (path, verb) in self._events:
                    continue
                preflight = verb == "OPTIONS"
                method_auth = method.auth
                if method_auth.authorization_type == "NONE" and self.default is not None and not (
                        preflight and not _flag(self.spec.get("AddDefaultAuthorizerToCorsPreflight"), True)):
                    method_auth = self._auth(self.default, None, method_auth.api_key_required, f"[{verb}] [{path}]",
                                             self.keys + ("Auth", "DefaultAuthorizer"))
                if self.api_key_required and not (preflight and not _flag(
                        self.spec.get("AddApiKeyRequiredToCorsPreflight"), True)):
                    method_auth = replace(method_auth, api_key_required=True)
                verbs[verb] = replace(method, auth=method_auth)


def authorizer_permissions(stack: Stack, logical_id: str, props: dict[str, Any]) -> list[Permission]:
    """The permission SAM adds for each Lambda authorizer without FunctionInvokeRole: `<apiId>/authorizers/*`."""
    spec = stack.resolve(props.get("Auth") or {}, ("Resources", logical_id, "Properties", "Auth"))
    ident = api_id(stack.o.stack_name, logical_id)
    out = []
    for name, entry in ((spec.get("Authorizers") or {}) if isinstance(spec, dict) else {}).items():
        if isinstance(entry, dict) and "FunctionArn" in entry and not entry.get("FunctionInvokeRole") and \
                not entry.get("DisableFunctionDefaultPermissions"):
            source = f"arn:aws:execute-api:{stack.o.region}:{stack.o.account_id}:{ident}/authorizers/*"
            out.append(Permission.allow(str(entry["FunctionArn"]), "lambda:InvokeFunction",
                                        "apigateway.amazonaws.com", source, None,
                                        stack.location("Resources", logical_id, "Properties", "Auth", "Authorizers",
                                                       name)))
    return out


def sam_usage_plans(stack: Stack, apis: list[tuple[str, dict[str, Any], str]]) -> tuple[list[ApiKey], list[UsagePlan]]:
    """The keys and plans `Auth.UsagePlan` makes; `apis` holds (logical id, properties, stage name)."""
    keys_out: list[ApiKey] = []
    plans: list[UsagePlan] = []
    shared: list[tuple[str, str, dict[str, Any]]] = []
    for logical_id, props, stage in apis:
        ukeys: Keys = ("Resources", logical_id, "Properties", "Auth", "UsagePlan")
        spec = stack.resolve(((props.get("Auth") or {}).get("UsagePlan")) if isinstance(props.get("Auth"), dict)
                             else None, ukeys)
        if spec is None:
            continue
        mode = str(spec.get("CreateUsagePlan", "")).upper() if isinstance(spec, dict) else ""
        if mode not in ("PER_API", "SHARED", "NONE"):
            raise stack.t.error(ukeys + ("CreateUsagePlan",), "CreateUsagePlan is PER_API, SHARED or NONE")
        if mode == "PER_API":
            keys_out.append(_key(stack, f"{logical_id}ApiKey"))
            plans.append(_plan(stack, f"{logical_id}UsagePlan", spec, [(logical_id, stage)], keys_out[-1], ukeys))
        elif mode == "SHARED":
            shared.append((logical_id, stage, spec))
    if shared:
        keys_out.append(_key(stack, "ServerlessApiKey"))
        plans.append(_plan(stack, "ServerlessUsagePlan", shared[0][2], [(i, s) for i, s, _ in shared], keys_out[-1],
                           ("Resources", shared[0][0], "Properties", "Auth", "UsagePlan")))
    return keys_out, plans


def _key(stack: Stack, logical_id: str) -> ApiKey:
    return usage_plans.api_key(stack, logical_id, {}, enabled_default=True)


def _plan(stack: Stack, logical_id: str, spec: dict[str, Any], apis: list[tuple[str, str]], key: ApiKey,
          keys: Keys) -> UsagePlan:
    props = {"ApiStages": [{"ApiId": api_id(stack.o.stack_name, i), "Stage": s} for i, s in apis],
             "Throttle": spec.get("Throttle"), "Quota": spec.get("Quota"),
             "UsagePlanName": spec.get("UsagePlanName") or logical_id}
    try:
        plan = usage_plans.usage_plan(stack, logical_id, props, (key.id,))
    except InvalidDefinition as e:
        raise stack.t.error(keys + e.keys[3:], e.message) from None
    return replace(plan, location=stack.location(*keys))
