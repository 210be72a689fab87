// The handler of the article our users come from: a correctly formatted proxy result.
exports.handler = async (event) => {
  const responseBody = { key3: 'value3', key2: 'value2', key1: 'value1' };
  const response = {
    statusCode: 200,
    headers: { my_header: 'my_value' },
    body: JSON.stringify(responseBody),
    isBase64Encoded: false,
  };
  return response;
};

// The same handler with the body left as an object: API Gateway answers 502,
// "Execution failed due to configuration error: Malformed Lambda proxy response".
exports.unstringified = async (event) => {
  const responseBody = { key3: 'value3', key2: 'value2', key1: 'value1' };
  return { statusCode: 200, headers: { my_header: 'my_value' }, body: responseBody, isBase64Encoded: false };
};
