// lambdagate's Node.js runtime: gets its work like AWS's Node.js runtime does, so that a handler sees the same loading
// rules, context, callbacks, errors and log lines. Two ways in (lambdagate/runtime/channels.py):
//   node bootstrap.mjs FD      frames on the inherited control socket FD, the protocol of python_worker.py
//   node bootstrap.mjs --http  the Lambda Runtime API over HTTP at AWS_LAMBDA_RUNTIME_API
// Behaviour reproduced from AWS's documentation and its runtime's observable behaviour (fact sheet §5):
//   - handler `path/module.fn.nested`; `..` is refused; module tried as: the file itself, `.js` (CommonJS unless
//     the nearest package.json says "type": "module"), then `.js` as ES module, `.mjs`, `.cjs`, then Node's
//     own resolution from the task root;
//   - errors as {errorType, errorMessage, trace}; init failures as Runtime.ImportModuleError,
//     Runtime.HandlerNotFound, Runtime.MalformedHandlerName, Runtime.UserCodeSyntaxError;
//   - console lines `<ISO time>\t<request id>\t<LEVEL>\t<message>` with inner newlines as \r.
// No npm dependencies: this file is package data and runs on the machine's own `node`.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import util from 'node:util';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inThreadHooks, searchNodePath } from './esm_paths.mjs';

const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();

// ---- the code folder is read-only -----------------------------------------------------------------------------------
// As /var/task (and /opt) are on Lambda: a write through `fs` fails with `EROFS: read-only file system, open
// '/var/task/...'` (errno -30; lovell/sharp#1511, zeit/now-builders#596), an absolute path shown as the function would
// see it on Lambda. /tmp and everything else stay writable. Child processes and native code are not held back.
function readOnlyCodeFolders() {
  const roots = new Map([[path.resolve(taskRoot), '/var/task']]);
  try { roots.set(fs.realpathSync(taskRoot), '/var/task'); } catch { /* no such folder: nothing to guard */ }
  const { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND } = fs.constants;
  const writeFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
  const named = (p) => (p instanceof URL ? fileURLToPath(p) : Buffer.isBuffer(p) ? p.toString() : p);
  const guarded = (p) => {
    const given = named(p);
    if (typeof given !== 'string') return null;
    const full = path.resolve(given);
    for (const [root, shown] of roots) {
      if (full === root || full.startsWith(root + path.sep)) {
        return path.isAbsolute(given) ? shown + full.slice(root.length) : given;
      }
    }
    return null;
  };
  const writes = (flags) => (typeof flags === 'number' ? (flags & writeFlags) !== 0
    : typeof flags === 'string' && /[wax+]/.test(flags));
  const erofs = (syscall, shown) => Object.assign(new Error(`EROFS: read-only file system, ${syscall} '${shown}'`),
    { errno: -30, code: 'EROFS', syscall, path: shown });
  // name -> [syscall, index of the guarded path argument, whether the `flags` argument (index 1) decides]
  const calls = { open: ['open', 0, true], writeFile: ['open', 0], appendFile: ['open', 0], mkdir: ['mkdir', 0],
    mkdtemp: ['mkdtemp', 0], rm: ['rm', 0], rmdir: ['rmdir', 0], unlink: ['unlink', 0], rename: ['rename', 1],
    copyFile: ['copyfile', 1], cp: ['cp', 1], symlink: ['symlink', 1], link: ['link', 1], truncate: ['open', 0],
    chmod: ['chmod', 0], chown: ['chown', 0], utimes: ['utime', 0] };
  const refusal = (name, args) => {
    const [syscall, index, byFlags] = calls[name];
    if (byFlags && !writes(args[1])) return null;
    const shown = (name === 'rename' ? guarded(args[0]) : null) || guarded(args[index]);
    return shown === null ? null : erofs(syscall, shown);
  };
  for (const name of Object.keys(calls)) {
    const callback = fs[name];
    const sync = fs[`${name}Sync`];
    const promised = fs.promises[name];
    if (typeof callback === 'function') {
      fs[name] = function guardedCall(...args) {
        const error = refusal(name, args);
        if (error === null) return callback.apply(this, args);
        const done = args.findLast((a) => typeof a === 'function');
        if (done) process.nextTick(done, error);
        return undefined;
      };
    }
    if (typeof sync === 'function') {
      fs[`${name}Sync`] = function guardedSync(...args) {
        const error = refusal(name, args);
        if (error !== null) throw error;
        return sync.apply(this, args);
      };
    }
    if (typeof promised === 'function') {
      fs.promises[name] = function guardedPromise(...args) {
        const error = refusal(name, args);
        return error === null ? promised.apply(this, args) : Promise.reject(error);
      };
    }
  }
  syncBuiltinESMExports();
}
readOnlyCodeFolders();
const handlerString = process.env._HANDLER || '';

// ---- the Runtime API over HTTP -------------------------------------------------------------------------------
// Each channel offers: next() -> {id, deadline, arn, trace, body}; respond(id, json); fail(id, errorJson);
// initError(errorJson). The promises resolve once the message is on its way.
async function httpChannel() {
  const http = await import('node:http');
  const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const PREFIX = '/2018-06-01/runtime';
  const call = (method, route, body, headers) => new Promise((resolve, reject) => {
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
  const postError = (route, errorJson) => call('POST', route, errorJson, { 'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': JSON.parse(errorJson).errorType });
  return {
    async next() {
      const { headers, body } = await call('GET', '/invocation/next');
      return { id: headers['lambda-runtime-aws-request-id'], deadline: Number(headers['lambda-runtime-deadline-ms']),
        arn: headers['lambda-runtime-invoked-function-arn'], trace: headers['lambda-runtime-trace-id'], body };
    },
    respond: (id, json) => call('POST', `/invocation/${id}/response`, json, { 'Content-Type': 'application/json' }),
    fail: (id, errorJson) => postError(`/invocation/${id}/error`, errorJson),
    initError: (errorJson) => postError('/init/error', errorJson),
  };
}

// ---- the control socket ----------------------------------------------------------------------------------------
// Frames both ways: 4-byte big-endian length, one type byte, data (python_worker.py has the full description).
//   in:  I header-JSON \n event          out: Y (initialised)  R content-type \n result  E error-JSON  N init-error
// When the invocation printed something, LOG_SENTINEL goes to stdout before its answer; when it printed nothing,
// the answer's type is lower-case and no sentinel follows.
const LOG_SENTINEL = '\x00lambdagate:end-of-invocation\n';

function socketChannel(fd) {
  const socket = new net.Socket({ fd, readable: true, writable: true });
  // An environment never outlives the gateway.
  socket.on('end', () => process.exit(0));
  socket.on('error', () => process.exit(0));
  // The socket keeps the event loop alive only while the runtime waits for its next invocation: during one, the
  // loop must be able to empty ('beforeExit'), which is how callbackWaitsForEmptyEventLoop is kept.
  socket.unref();
  let chunks = [];
  let size = 0;
  let need = -1;               // the length of the frame being read; -1 while its length prefix is not in
  const ready = [];            // frames read and not asked for yet
  let waiting = null;          // the resolve of next() while it waits

  const take = (n) => {
    const first = chunks[0];
    let out;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) chunks.shift(); else chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(chunks, size);
      out = all.subarray(0, n);
      chunks = n < size ? [all.subarray(n)] : [];
    }
    size -= n;
    return out;
  };
  socket.on('data', (chunk) => {
    chunks.push(chunk);
    size += chunk.length;
    for (;;) {
      if (need < 0) {
        if (size < 4) return;
        need = take(4).readUInt32BE(0);
      }
      if (size < need) return;
      const frame = take(need);
      need = -1;
      const newline = frame.indexOf(10, 1);
      const header = JSON.parse(frame.toString('utf8', 1, newline));
      const invocation = { id: header.id, deadline: header.deadline, arn: header.arn, trace: header.trace,
        body: frame.toString('utf8', newline + 1) };
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        socket.unref();
        resolve(invocation);
      } else {
        ready.push(invocation);
      }
    }
  });

  // Whether anything was written to stdout/stderr since the last answer; init may print, so the first answer always
  // follows a sentinel.
  let printed = true;
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write;
    stream.write = function watched(...args) {
      printed = true;
      return write.apply(this, args);
    };
  }
  const send = (kind, data) => new Promise((resolve) => {
    if (printed) {
      // on stdout's own stream, so that it follows every line written before it even when the pipe is full
      stdoutWrite(LOG_SENTINEL);
      printed = false;
    } else {
      kind = kind.toLowerCase();
    }
    const length = Buffer.byteLength(data);
    const frame = Buffer.allocUnsafe(5 + length);
    frame.writeUInt32BE(length + 1, 0);
    frame.write(kind, 4, 'latin1');
    frame.write(data, 5, 'utf8');
    socket.write(frame, () => resolve());
  });

  let initialised = false;
  return {
    next() {
      if (!initialised) {
        initialised = true;
        const frame = Buffer.from([0, 0, 0, 1, 0x59]);  // Y: no sentinel, the first answer carries it
        socket.write(frame);
      }
      if (ready.length) return Promise.resolve(ready.shift());
      socket.ref();
      return new Promise((resolve) => { waiting = resolve; });
    },
    respond: (id, json) => send('R', 'application/json\n' + json),
    fail: (id, errorJson) => send('E', errorJson),
    initError: (errorJson) => send('N', errorJson),
  };
}

const control = process.argv[2];
const channel = /^\d+$/.test(control || '') ? socketChannel(Number(control)) : await httpChannel();

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

// ES modules search NODE_PATH's folders as on Lambda, when the function needs it (esm_paths.mjs).
const esModuleFolders = (process.env.LAMBDAGATE_ESM_PATHS || '').split(path.delimiter).filter(Boolean);
delete process.env.LAMBDAGATE_ESM_PATHS;
if (inThreadHooks) searchNodePath(esModuleFolders);

async function importEsModule(file) {
  searchNodePath(esModuleFolders);
  return import(pathToFileURL(file).href);
}

async function loadModule(moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const present = (file) => fs.existsSync(file) && (readableByOthers(file), true);
  const asCommonJs = (file) => (present(file) ? requireFromRoot(file) : undefined);
  const asEsModule = async (file) => (present(file) ? await importEsModule(file) : undefined);
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

function invoke(handler, invocation) {
  return new Promise((finish) => {
    const { id, deadline } = invocation;
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
      channel.respond(id, body).then(finish, finish);
    };
    complete.fail = (error, exitCode) => {
      done = true;
      beforeExit = null;
      channel.fail(id, JSON.stringify(toRapid(error))).then(() => (exitCode ? process.exit(exitCode) : finish()),
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
      invokedFunctionArn: invocation.arn,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: id,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      identity: undefined,
      clientContext: undefined,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    if (invocation.trace) {
      process.env._X_AMZN_TRACE_ID = invocation.trace;
    }
    // A handler that neither answers nor keeps the event loop busy: a sync one answers null, an async one
    // fails (Lambda's Node.js runtime does the same when the loop empties).
    const isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';
    beforeExit = () => (isAsync
      ? fail(runtimeError('NodeJsExit', 'Error: Runtime exited without providing a reason'))
      : complete(null));
    try {
      const result = handler(JSON.parse(invocation.body), context, callback);
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
    await channel.initError(JSON.stringify(toRapid(error))).catch(() => {});
    process.exit(129);
  }
  for (;;) {
    await invoke(handler, await channel.next());
  }
}

main().catch((error) => {
  process.stderr.write(`lambdagate node bootstrap: ${error && error.stack}\n`);
  process.exit(1);
});
