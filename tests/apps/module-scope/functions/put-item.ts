// Bundled as an ES module (.mjs), with top-level await.
const ready: string = await Promise.resolve('ready');

export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 200,
  body: JSON.stringify({ format: 'esm', ready, url: import.meta.url.split('/').pop() }),
});
