import { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/**
 * sam init's TypeScript hello world.
 */
export const lambdaHandler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    if (event.queryStringParameters?.fail) {
        throw new TypeError('failing as asked');
    }
    try {
        return {
            statusCode: 200,
            body: JSON.stringify({
                message: 'hello world',
            }),
        };
    } catch (err) {
        console.log(err);
        return {
            statusCode: 500,
            body: JSON.stringify({
                message: 'some error happened',
            }),
        };
    }
};
