// A TOKEN authorizer whose answer the token chooses (aws-auth.md §1.6, §1.10); `invocation` counts this
// environment's invocations, so that a cached answer is seen to be the same one.
let invocations = 0;

function policy(effect, resource) {
  return { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] };
}

exports.handler = async (event) => {
  invocations += 1;
  const token = event.authorizationToken;
  const [, , , , , rest] = event.methodArn.split(':');
  const [apiId, stage] = rest.split('/');
  const everything = event.methodArn.split('/')[0] + `/${stage}/*`;
  const context = { token, invocation: invocations, flag: true, none: null, apiId };
  switch (token) {
    case 'allow':
      return { principalId: 'node-user-123456', policyDocument: policy('Allow', everything), context };
    case 'allow-own':
      return { principalId: 'node-user-123456', policyDocument: policy('Allow', event.methodArn), context };
    case 'deny':
      return { principalId: 'node-user-123456', policyDocument: policy('Deny', event.methodArn) };
    case 'elsewhere':
      return { principalId: 'node-user-123456', policyDocument: policy('Allow', `${everything}/POST/x`) };
    case 'unauthorized':
      throw new Error('Unauthorized');
    case 'object':
      return { principalId: 'node-user-123456', policyDocument: policy('Allow', everything), context: { a: { b: 1 } } };
    case 'null':
      return null;
    default:
      throw new Error(`no such token: ${token}`);
  }
};
