/**
 * sam init's Node.js hello world, also saying which Node.js runs it and that its dependency is installed.
 */
import axios from 'axios';

export const lambdaHandler = async (event, context) => {
  const response = {
    statusCode: 200,
    body: JSON.stringify({
      message: 'hello world',
      node: process.versions.node,
      runtime: process.env.AWS_EXECUTION_ENV,
      axios: typeof axios.get,
    }),
  };

  return response;
};
