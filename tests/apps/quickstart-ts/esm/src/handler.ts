import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { greeting } from './greeting';

// top-level await: an ES module only
const region: string = await Promise.resolve(process.env.AWS_REGION ?? 'unknown');

export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
    statusCode: 200,
    body: JSON.stringify({ message: greeting('esm'), region, sdk: typeof DynamoDBClient, url: import.meta.url }),
});
