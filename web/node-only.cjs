'use strict';
// Stands in for a Node built-in (node:net, node:fs, ...) that a package module imports for a Node-only
// feature, so that module can sit in the standards-only entries and fail only when that feature is
// used, with a message naming it. The build lists every module stubbed this way.

module.exports = function nodeOnly(moduleName) {
  const unavailable = (member) =>
    function notHere() {
      throw new Error(
        `superoffice-auth: ${moduleName}${member ? ` ${member}` : ''} is Node-only; it is not available in this runtime`,
      );
    };
  return new Proxy(unavailable(''), {
    get(_target, name) {
      if (typeof name === 'symbol' || name === '__esModule' || name === 'default' || name === 'prototype')
        return undefined;
      return unavailable(String(name));
    },
    construct() {
      return unavailable('')();
    },
  });
};
