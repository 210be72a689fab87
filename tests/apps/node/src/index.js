// CommonJS handlers in every style Lambda's Node.js runtime accepts.
exports.asyncHandler = async (event, context) => ({
  statusCode: 200,
  body: JSON.stringify({
    path: event.path,
    functionName: context.functionName,
    memoryLimitInMB: context.memoryLimitInMB,
    awsRequestId: context.awsRequestId,
    invokedFunctionArn: context.invokedFunctionArn,
    remaining: context.getRemainingTimeInMillis(),
    waits: context.callbackWaitsForEmptyEventLoop,
    cwd: process.cwd(),
    greeting: process.env.GREETING,
  }),
});

exports.promiseHandler = (event) => Promise.resolve({ statusCode: 201, body: 'promise' });

exports.callbackHandler = (event, context, callback) => {
  setTimeout(() => callback(null, { statusCode: 202, body: 'callback' }), 10);
};

// Lambda waits for the event loop to empty before answering: the timer's log line comes first.
exports.waitsForLoop = (event, context, callback) => {
  setTimeout(() => console.log('timer fired before the answer'), 50);
  callback(null, { statusCode: 200, body: 'waited' });
};

exports.doesNotWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 3000);
  callback(null, { statusCode: 200, body: 'did not wait' });
};

exports.legacySucceed = (event, context) => {
  context.succeed({ statusCode: 203, body: 'succeed' });
};

exports.legacyFail = (event, context) => {
  context.fail(new Error('failed the old way'));
};

exports.callbackError = (event, context, callback) => {
  callback(new TypeError('bad input'));
};

exports.throws = async () => {
  throw new Error('boom');
};

exports.throwsString = async () => {
  throw 'just a string';
};

exports.logs = async (event, context) => {
  console.log('hello', { a: 1 });
  console.error('multi\nline');
  return { statusCode: 200, body: context.awsRequestId };
};

exports.uncaught = (event, context, callback) => {
  setTimeout(() => { throw new Error('uncaught later'); }, 5);
};

exports.syncNoAnswer = (event) => {};

exports.malformed = async () => ({ statusCode: 200, body: { not: 'a string' } });

exports.nested = { deeper: { handler: async () => ({ statusCode: 200, body: 'nested' }) } };

exports.notAFunction = 42;

// The body back, whole: large events and results cross the channel in many reads.
exports.echo = async (event) => ({
  statusCode: 200,
  headers: { 'x-body-length': String(event.body.length) },
  body: event.body,
});
