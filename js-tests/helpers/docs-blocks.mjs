// The code blocks of the documentation, and what they may use without defining it.
//
// Every ```js block of README.md and docs/migrating-from-the-sample.md runs, as an ES module, against
// the installed package and the stand-in (js-tests/docs.test.mjs). A block marked ```js no-run is shown
// but not run (a fragment, or something that needs a real tenant). Blocks may use, without defining:
// - every export of 'superoffice-auth' (so a fragment needs no import line);
// - the values of a partner's configuration, from the stand-in: applicationToken, privateKey (the .NET
//   XML key), xmlOrPem, contextIdentifier ('Cust12345'), systemUserToken, systemUserTokens,
//   federatedLoginCertificatePem, clientId, clientSecret, nonce, req ({ body: { id_token } }), db
//   (saveTenant/loadTenant/loadRefreshToken/saveRefreshToken), user, webapiUrl, log (warn/error fail
//   the block), session;
// - files in the working directory: private-key.xml, private-key.pem, SuperOfficeFederatedLogin.crt;
// - process.env.SO_APPLICATION_TOKEN, TICKET_CACHE_KEY and, when the block imports redis or ioredis,
//   REDIS_URL (a real redis-server);
// - fetch: requests to https://{sod,stage,qaonline,online}.superoffice.com go to the stand-in.

/** The runnable and skipped ```js blocks of a Markdown text, with the line each starts on. */
export function extractBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  let open = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (open) {
      if (/^\s*```\s*$/.test(line) && line.indexOf('```') === open.indent) {
        blocks.push({ line: open.line, info: open.info, run: open.run, code: open.body.join('\n') });
        open = null;
      } else {
        open.body.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
      }
      continue;
    }
    const fence = /^(\s*)```(.*)$/.exec(line);
    if (!fence) continue;
    const info = fence[2].trim();
    const words = info.split(/\s+/);
    const isJs = ['js', 'javascript', 'mjs'].includes(words[0]);
    open = { line: i + 1, info, indent: fence[1].length, body: [], run: isJs && !words.includes('no-run'), isJs };
    if (!isJs) {
      // Skip any other fenced block whole (its content is not ours to run).
      let j = i + 1;
      while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) j += 1;
      i = j;
      open = null;
    }
  }
  if (open) throw new Error(`unclosed code block at line ${open.line}`);
  return blocks;
}
