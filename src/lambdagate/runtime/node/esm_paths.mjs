// ES modules find packages in the folders of NODE_PATH, as they do on Lambda from nodejs18.x on: "Lambda searches
// folders in the NODE_PATH environment variable when loading ES modules" (LDG lambda-nodejs.md, "Designating a
// function handler as an ES module"). Node.js itself reads NODE_PATH for require() only. These resolve hooks try
// a package name that Node.js could not find from each of those folders in turn (the layers, the runtime's SDK).
//
// lambdagate's launcher names the folders (LAMBDAGATE_ESM_PATHS) only when the function needs them (layers, or
// imports of the runtime's SDK): with in-thread hooks where Node.js has them (module.registerHooks, 22.15+), else
// with module.register, whose hooks thread adds about 50 ms to a cold start and more to each resolution, so only
// for a handler that is an ES module. (A CommonJS handler's dynamic import() of a package found only in those
// folders then fails on older Node.js.)
import * as nodeModule from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const inThreadHooks = typeof nodeModule.registerHooks === 'function';
let installed = false;

// Called by bootstrap.mjs; idempotent.
export function searchNodePath(folders) {
  if (installed || !folders.length) return;
  installed = true;
  if (inThreadHooks) {
    initialize(folders);
    nodeModule.registerHooks({ resolve: resolveSync });
  } else if (typeof nodeModule.register === 'function') {
    nodeModule.register(new URL(import.meta.url), { data: folders });
  }
}

let parents = [];

// A parent module inside each folder: resolving from it searches <folder>/node_modules, then <folder> itself when
// the folder is a node_modules folder (NODE_PATH's entries are).
export function initialize(folders) {
  parents = folders.map((folder) => pathToFileURL(path.join(folder, 'lambdagate-esm-parent.mjs')).href);
}

const isPackageName = (specifier) => !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z\d+.-]*:)/.test(specifier);
const retried = (error, specifier) => error && error.code === 'ERR_MODULE_NOT_FOUND' && isPackageName(specifier);

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!retried(error, specifier)) throw error;
    for (const parentURL of parents) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this folder
      }
    }
    throw error;
  }
}

export function resolveSync(specifier, context, nextResolve) {
  try {
    return nextResolve(specifier, context);
  } catch (error) {
    if (!retried(error, specifier)) throw error;
    for (const parentURL of parents) {
      try {
        return nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this folder
      }
    }
    throw error;
  }
}
