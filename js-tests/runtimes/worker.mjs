// The smoke suite as a Cloudflare Worker: POST the fixtures, get the results. Bundled with esbuild as
// wrangler does (conditions workerd, worker, browser; the .wasm kept as a module import) and run by
// workerd without nodejs_compat, so only web-standard APIs are there.
import * as lib from 'superoffice-auth';
import { runSmoke } from './smoke.mjs';

export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('POST the fixtures', { status: 405 });
    const results = await runSmoke(lib, await request.json());
    return Response.json({ runtime: `workerd ${navigator.userAgent}`, results });
  },
};
