// lambdagate's Node.js runtime: speaks the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API) like AWS's Node.js
// runtime does, so that a handler sees the same loading rules, context, callbacks, errors and log lines.
// Behaviour reproduced from AWS's documentation and its runtime's observable behaviour (fact sheet §5):
//   - handler `path/module.fn.nested`; `..` is refused; module tried as: the file itself, `.js` (CommonJS unless
//     the nearest package.json says "type": "module"), then `.js` as ES module, `.mjs`, `.cjs`, then Node's
//     own resolution from the task root;
//   - errors as {errorType, errorMessage, trace}; init failures as Runtime.ImportModuleError,
//     Runtime.HandlerNotFound, Runtime.MalformedHandlerName, Runtime.UserCodeSyntaxError;
//   - console lines `<ISO time>\t<request id>\t<LEVEL>\t<message>` with inner newlines as \r.
// No npm dependencies: this file is package data and runs on the machine's own `node`.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const PREFIX = '/2018-06-01/runtime';
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const handlerString = process.env._HANDLER || '';

// ---- the Runtime API -----------------------------------------------------------------------------------------
function call(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: apiHost, port: Number(apiPort), method, path: PREFIX + route, agent, headers: headers || {} },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers,
                                           body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}

// ---- logging -----------------------------------------------------------------------------------------------------
let currentRequestId;
function logLine(level, args) {
  const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args)}`;
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}
console.trace = (...args) => logLine('TRACE', args);
console.debug = (...args) => logLine('DEBUG', args);
console.info = (...args) => logLine('INFO', args);
console.log = console.info;
console.warn = (...args) => logLine('WARN', args);
console.error = (...args) => logLine('ERROR', args);

// ---- errors --------------------------------------------------------------------------------------------------------
function runtimeError(name, message, stack) {
  const error = new Error(message);
  error.name = `Runtime.${name}`;
  if (stack) error.stack = stack;
  return error;
}

function looksLikeError(value) {
  return value instanceof Error || (value && typeof value.name === 'string' && typeof value.message === 'string'
    && typeof value.stack === 'string');
}

function toRapid(error) {
  try {
    if (looksLikeError(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem '
      + 'while retrieving one or more of its message, name, and stack' };
  }
}

function formatted(error) {
  const value = looksLikeError(error) ? error : new Error(error);
  try {
    return '\t' + JSON.stringify(Object.assign({ errorType: value.name, errorMessage: value.message,
      code: value.code }, value, { stack: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack }));
  } catch {
    return '\t' + JSON.stringify(toRapid(value));
  }
}

async function postError(route, error) {
  const body = JSON.stringify(toRapid(error));
  await call('POST', route, body, { 'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': toRapid(error).errorType });
}

// ---- loading the handler --------------------------------------------------------------------------------------
function typeModuleFolder(folder) {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (dir.endsWith('/node_modules')) return false;
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (dir === path.dirname(dir)) return false;
  }
}

// Requires come from the runtime (as /var/runtime/index.mjs on Lambda), resolved against the task root.
const requireFromRoot = createRequire(import.meta.url);

// Lambda runs the function as a user other than the files' owner: a handler file that others cannot read fails with
// `EACCES: permission denied, open '/var/task/index.js'` (LDG troubleshooting-deployment.md; fact sheet §10.9),
// even when lambdagate runs as the owner or as root.
function readableByOthers(file) {
  const realRoot = fs.realpathSync(taskRoot);
  const real = fs.realpathSync(file);
  if (!real.startsWith(realRoot + path.sep)) return;
  const relative = real.slice(realRoot.length + 1);
  let folder = realRoot;
  const parts = relative.split(path.sep);
  for (const part of parts.slice(0, -1)) {
    folder = path.join(folder, part);
    if (!(fs.statSync(folder).mode & 0o001)) throw eacces(relative);
  }
  if (!(fs.statSync(real).mode & 0o004)) throw eacces(relative);
}

function eacces(relative) {
  const shown = `/var/task/${relative}`;
  const error = new Error(`EACCES: permission denied, open '${shown}'`);
  Object.assign(error, { errno: -13, code: 'EACCES', syscall: 'open', path: shown });
  return error;
}

async function loadModule(moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const present = (file) => fs.existsSync(file) && (readableByOthers(file), true);
  const asCommonJs = (file) => (present(file) ? requireFromRoot(file) : undefined);
  const asEsModule = async (file) => (present(file) ? await import(pathToFileURL(file).href) : undefined);
  const found = asCommonJs(base);
  if (found) return found;
  const esm = typeModuleFolder(path.dirname(base));
  if (!esm) {
    const cjs = asCommonJs(base + '.js');
    if (cjs) return cjs;
  }
  const loaded = (esm && (await asEsModule(base + '.js'))) || (await asEsModule(base + '.mjs'))
    || asCommonJs(base + '.cjs');
  if (loaded) return loaded;
  return requireFromRoot(requireFromRoot.resolve(moduleName, { paths: [taskRoot, path.join(taskRoot, moduleRoot)] }));
}

async function loadHandler(fullHandler) {
  if (fullHandler.includes('..')) {
    throw runtimeError('MalformedHandlerName', `'${fullHandler}' is not a valid handler name. Use absolute paths `
      + 'when specifying root directories in handler names.');
  }
  const moduleAndHandler = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(moduleAndHandler));
  const match = moduleAndHandler.match(/^([^.]*)\.(.*)$/);
  if (!match) throw runtimeError('MalformedHandlerName', 'Bad handler');
  const [, moduleName, handlerPath] = match;
  let app;
  try {
    app = await loadModule(moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw runtimeError('UserCodeSyntaxError', String(e), e.stack);
    if (e && e.code === 'MODULE_NOT_FOUND') throw runtimeError('ImportModuleError', String(e));
    throw e;
  }
  const fn = handlerPath.split('.').reduce((object, key) => object && object[key], app);
  if (!fn) throw runtimeError('HandlerNotFound', `${fullHandler} is undefined or not exported`);
  if (typeof fn !== 'function') throw runtimeError('HandlerNotFound', `${fullHandler} is not a function`);
  return fn;
}

// ---- one invocation ------------------------------------------------------------------------------------------------
let beforeExit = null;
process.on('beforeExit', () => {
  const listener = beforeExit;
  beforeExit = null;
  if (listener) listener();
});

let failCurrent = null;
process.on('uncaughtException', (error) => {
  console.error('Uncaught Exception', formatted(error));
  if (failCurrent) failCurrent(error, 129);
  else process.exit(129);
});
process.on('unhandledRejection', (reason) => {
  const error = runtimeError('UnhandledPromiseRejection', String(reason));
  console.error('Unhandled Promise Rejection', formatted(error));
  if (failCurrent) failCurrent(error, 128);
  else process.exit(128);
});

function invoke(handler, response) {
  return new Promise((finish) => {
    const id = response.headers['lambda-runtime-aws-request-id'];
    const deadline = Number(response.headers['lambda-runtime-deadline-ms']);
    currentRequestId = id;
    let done = false;
    let waitForEmptyEventLoop = true;
    const complete = (result) => {
      if (done) return;
      done = true;
      beforeExit = null;
      let body;
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch {
        complete.fail(runtimeError('JSONStringifyError', 'Unable to stringify response body'));
        return;
      }
      call('POST', `/invocation/${id}/response`, body, { 'Content-Type': 'application/json' }).then(finish, finish);
    };
    complete.fail = (error, exitCode) => {
      done = true;
      beforeExit = null;
      postError(`/invocation/${id}/error`, error).then(() => (exitCode ? process.exit(exitCode) : finish()),
        () => finish());
    };
    const fail = (error, exitCode) => {
      if (done) return;
      console.error('Invoke Error', formatted(error));
      complete.fail(error, exitCode);
    };
    failCurrent = fail;
    const callback = (error, result) => {
      if (error !== undefined && error !== null) return fail(error);
      if (!waitForEmptyEventLoop) return complete(result);
      beforeExit = () => setImmediate(() => complete(result));
      return undefined;
    };
    const context = {
      get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
      set callbackWaitsForEmptyEventLoop(value) { waitForEmptyEventLoop = value; },
      succeed: (result) => complete(result),
      fail: (error) => fail(error === undefined || error === null ? 'handled' : error),
      done: (error, result) => (error !== undefined && error !== null ? fail(error) : complete(result)),
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: response.headers['lambda-runtime-invoked-function-arn'],
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: id,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      identity: undefined,
      clientContext: undefined,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    if (response.headers['lambda-runtime-trace-id']) {
      process.env._X_AMZN_TRACE_ID = response.headers['lambda-runtime-trace-id'];
    }
    // A handler that neither answers nor keeps the event loop busy: a sync one answers null, an async one
    // fails (Lambda's Node.js runtime does the same when the loop empties).
    const isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';
    beforeExit = () => (isAsync
      ? fail(runtimeError('NodeJsExit', 'Error: Runtime exited without providing a reason'))
      : complete(null));
    try {
      const result = handler(JSON.parse(response.body), context, callback);
      if (result && typeof result.then === 'function') {
        result.then((value) => complete(value), (error) => fail(error));
      }
    } catch (error) {
      fail(error);
    }
  });
}

async function main() {
  let handler;
  try {
    handler = await loadHandler(handlerString);
  } catch (error) {
    console.error('Uncaught Exception', formatted(error));
    await postError('/init/error', error).catch(() => {});
    process.exit(129);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    await invoke(handler, next);
  }
}

main().catch((error) => {
  process.stderr.write(`lambdagate node bootstrap: ${error && error.stack}\n`);
  process.exit(1);
});
