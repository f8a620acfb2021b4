// Module resolution for documentation blocks: a bare name the scratch project lacks (redis, ioredis:
// the workspace's devDependencies, not the package's) resolves from the repository instead.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let repo = null;

export function initialize(data) {
  repo = data?.repo ?? null;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const bare = !/^(\.|\/|[a-z]+:)/i.test(specifier);
    if (!repo || !bare || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return nextResolve(specifier, { ...context, parentURL: pathToFileURL(join(repo, 'package.json')).href });
  }
}
