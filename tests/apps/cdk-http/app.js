const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const apigwv2 = require('aws-cdk-lib/aws-apigatewayv2');
const integrations = require('aws-cdk-lib/aws-apigatewayv2-integrations');
const path = require('path');

class NotesStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const notes = new lambda.Function(this, 'NotesFunction', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'notes.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'lambda', 'notes')),
      timeout: cdk.Duration.seconds(10),
    });
    const api = new apigwv2.HttpApi(this, 'NotesApi', {
      apiName: 'notes-api',
      corsPreflight: {
        allowOrigins: ['https://app.example'],
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
        allowHeaders: ['content-type'],
        maxAge: cdk.Duration.minutes(10),
      },
    });
    const integration = new integrations.HttpLambdaIntegration('NotesIntegration', notes);
    api.addRoutes({ path: '/notes', methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST], integration });
    api.addRoutes({ path: '/notes/{id}', methods: [apigwv2.HttpMethod.GET], integration });
    const legacy = new integrations.HttpLambdaIntegration('LegacyIntegration', notes, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_1_0,
    });
    api.addRoutes({ path: '/legacy/{proxy+}', methods: [apigwv2.HttpMethod.ANY], integration: legacy });
    new apigwv2.HttpStage(this, 'DevStage', { httpApi: api, stageName: 'dev', autoDeploy: true });
  }
}

const app = new cdk.App();
new NotesStack(app, 'NotesStack');
app.synth();
