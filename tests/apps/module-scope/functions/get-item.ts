// Bundled as CommonJS: `module.exports` in the output, which Node.js refuses in an ES module scope.
const kind: string = typeof module === 'undefined' ? 'es module' : 'commonjs';

export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 200,
  body: JSON.stringify({ format: 'cjs', loadedAs: kind }),
});
