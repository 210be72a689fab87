const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const apigw = require('aws-cdk-lib/aws-apigateway');
const logs = require('aws-cdk-lib/aws-logs');
const path = require('path');

class BooksStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const books = new lambda.Function(this, 'BooksFunction', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'books.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'lambda', 'books')),
      environment: { TABLE_NAME: 'books' },
      timeout: cdk.Duration.seconds(10),
      memorySize: 256,
    });
    const health = new lambda.Function(this, 'HealthFunction', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline("exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ ok: true, stage: event.requestContext.stage }) });"),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs');
    const api = new apigw.RestApi(this, 'BooksApi', {
      restApiName: 'books-api',
      binaryMediaTypes: ['image/png'],
      deployOptions: {
        stageName: 'prod',
        variables: { env: 'production' },
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
      },
      defaultCorsPreflightOptions: { allowOrigins: apigw.Cors.ALL_ORIGINS },
    });
    const booksResource = api.root.addResource('books');
    booksResource.addMethod('GET', new apigw.LambdaIntegration(books));
    booksResource.addMethod('POST', new apigw.LambdaIntegration(books));
    booksResource.addResource('{id}').addMethod('GET', new apigw.LambdaIntegration(books));
    api.root.addResource('health').addMethod('GET', new apigw.LambdaIntegration(health));
    api.root.addResource('legacy').addMethod('GET', new apigw.HttpIntegration('https://example.com/legacy'));
    api.addGatewayResponse('MissingToken', {
      type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      responseHeaders: { 'Access-Control-Allow-Origin': "'*'" },
      templates: { 'application/json': '{"message": "no such route"}' },
    });
  }
}

const app = new cdk.App();
new BooksStack(app, 'BooksStack');
app.synth();
