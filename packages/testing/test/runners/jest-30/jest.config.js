// TypeScript through @swc/jest, as many jest apps compile it.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', {}] },
  // flagwise's packages resolve to their TypeScript sources in this repository, which import each other as
  // ./file.js; an app that installs them gets built JavaScript and needs no such mapping.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};
