// The benchmark's Node.js function: the same hello-world proxy result as app.py.
exports.handler = async () => ({ statusCode: 200, body: '{"message": "hello"}' });
