import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TableName = process.env.TABLE;

export const handler = async (event) => {
  const id = event.pathParameters.id;
  if (event.httpMethod === 'PUT') {
    await documents.send(new PutCommand({ TableName, Item: { id, body: event.body, by: 'node' } }));
    return { statusCode: 201, body: JSON.stringify({ id }) };
  }
  const { Item } = await documents.send(new GetCommand({ TableName, Key: { id } }));
  if (!Item) return { statusCode: 404, body: JSON.stringify({ message: `no item ${id}` }) };
  return { statusCode: 200, body: JSON.stringify({ ...Item, read_by: 'node' }) };
};
