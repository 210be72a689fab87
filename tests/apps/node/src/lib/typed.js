export const handler = async () => ({ statusCode: 200, body: 'type module .js' });
