// The admin console in AWS: private bucket behind CloudFront with origin access control and a strict CSP,
// its callback registered with every tenant's app client, the API open to its origin only, and its config.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Synthesised, synthesise } from './gatehouse.ts';

let built: Synthesised;
let hosting: Template;
let files: Template;
beforeAll(() => {
  built = synthesise({ bundle: [] });
  hosting = Template.fromStack(built.console);
  files = Template.fromStack(built.consoleFiles);
});

/** The console's origin as the other stacks reference it (a cross-stack output). */
const consoleOrigin = Match.objectLike({ 'Fn::Join': Match.anyValue() });

describe('console hosting', () => {
  it('serves a private bucket only through CloudFront, with origin access control', () => {
    hosting.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    hosting.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    hosting.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CustomErrorResponses: Match.arrayWith([
          Match.objectLike({ ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html' }),
        ]),
      }),
    });
  });

  it('sends a strict CSP and security headers: scripts and styles from itself, connections to AWS only', () => {
    const policies = hosting.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    const config = Object.values(policies)[0]?.Properties.ResponseHeadersPolicyConfig;
    const csp: string = config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src')) ?? '';
    for (const source of connect.split(' ').slice(1)) {
      expect(source).toMatch(/^('self'|https:\/\/[^/]*\.(amazonaws\.com|amazoncognito\.com))$/);
    }
    expect(config.SecurityHeadersConfig.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThan(
      31_536_000,
    );
    expect(config.SecurityHeadersConfig.FrameOptions.FrameOption).toBe('DENY');
  });

  it("registers the console's callback and logout URLs with every tenant's app client, in the tenant's stack", () => {
    built.templates.stateful.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    expect(built.templates.tenants.size).toBe(built.config.tenants.length);
    for (const [id, template] of built.templates.tenants) {
      const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
      expect(clients, id).toHaveLength(1);
      const client = clients[0] as { Properties: { CallbackURLs: unknown; LogoutURLs: unknown } };
      const json = JSON.stringify(client.Properties.CallbackURLs);
      expect(json).toContain('/callback');
      expect(json).toContain('Fn::GetStackOutput');
      expect(JSON.stringify(client.Properties.LogoutURLs)).toContain('Fn::GetStackOutput');
    }
  });

  it("lets only the console's origin call the API from a browser", () => {
    const stateless = built.templates.stateless;
    stateless.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: Match.objectLike({
        IntegrationResponses: Match.arrayWith([
          Match.objectLike({
            ResponseParameters: Match.objectLike({
              'method.response.header.Access-Control-Allow-Origin': consoleOrigin,
            }),
          }),
        ]),
      }),
    });
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONSOLE_ORIGIN: consoleOrigin }) },
    });
    stateless.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Access-Control-Allow-Origin': consoleOrigin,
      }),
    });
  });

  it("deploys the built console with a config.json naming the API and each tenant's pool and client", () => {
    const deployments = files.findResources('Custom::CDKBucketDeployment');
    const entry = Object.values(deployments).find((d) =>
      JSON.stringify(d.Properties).includes('config.json'),
    );
    expect(entry).toBeDefined();
    expect(JSON.stringify(entry?.Properties.DistributionPaths)).toBe('["/index.html","/config.json"]');
    // config.json's deploy-time values (API URL, pool and client ids) are filled in from the other stacks.
    const markers = JSON.stringify(entry?.Properties.SourceMarkers);
    expect(markers).toContain('Gatehouse-Stateless');
    expect(markers.match(/UserPoolClient|AppClient/g)?.length ?? 0).toBeGreaterThanOrEqual(
      built.config.tenants.length,
    );
  });
});
