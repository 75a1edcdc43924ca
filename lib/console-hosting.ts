// The admin console in AWS: its files in a private S3 bucket behind CloudFront (origin access control),
// with security headers and a strict CSP; and, once the pools and the API exist, its files and config.json.
// Two stacks, because the tenants' app clients must know the console's URL (their callback) before they are
// created, and the console's config.json must know the app clients and the API after.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Annotations,
  CfnOutput,
  type CfnResource,
  Duration,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  type IDistribution,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { consoleCsp } from './console-csp.ts';
import { PROJECT_ROOT } from './gatehouse-function.ts';

/** The built console (npm run console:build): synth deploys it when present. */
export const CONSOLE_DIST = join(PROJECT_ROOT, 'console', 'dist');

/**
 * Where the console's scripts may connect, in a region: its own origin (served by CloudFront), the tenants'
 * pools (OIDC discovery, JWKS), their login domains (token, revoke) and the API. Wildcards only within AWS's
 * own domains for this region, because pool ids and the API id are not known before they are created.
 */
export function consoleConnectSources(region: string): string[] {
  return [
    `https://cognito-idp.${region}.amazonaws.com`,
    `https://*.auth.${region}.amazoncognito.com`,
    `https://*.execute-api.${region}.amazonaws.com`,
  ];
}

/**
 * The bucket's name, fixed per account and region: the files stack names it rather than importing it, so the
 * deployment's permissions name a bucket a reviewer can read (and the stacks stay loosely coupled).
 */
export const consoleBucketName = (stack: Stack) => `gatehouse-console-${stack.account}-${stack.region}`;

export class GatehouseConsoleStack extends Stack {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution domain>`: the console's origin, for callback URLs and CORS. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.bucket = new Bucket(this, 'Files', {
      bucketName: consoleBucketName(this),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Gatehouse console: strict CSP and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleCsp(consoleConnectSources(this.region)),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=()',
            override: true,
          },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Gatehouse admin console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      // A single-page app: every screen's path (/t/acme/users/…) is index.html; the bucket answers 403 for a
      // key it does not have, as CloudFront may not list it.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.origin,
      description: 'The admin console: <url>/t/<tenant>/users',
    });

    Validations.of(this.bucket.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "The bucket holds only the console's public build (no data); CloudFront is its only reader, and server access logs would record nothing but CloudFront's own fetches.",
    });
    const distribution = this.distribution.node.defaultChild as CfnResource;
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        "Administrators work from anywhere their organisation does; a geo restriction is the deploying team's choice, and the console's data is behind the API's Cognito tokens anyway.",
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        "The distribution serves static files only; the API it calls is the protected surface (Cognito tokens, throttling). A WAF web ACL (its rules, its cost) is the deploying team's choice.",
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason:
        'Standard logs would need a log bucket with ACLs enabled; the console is static files, and every request that matters reaches the API, whose access logs record it.',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        "The default *.cloudfront.net certificate, which CloudFront pins to TLSv1 compatibility; a custom domain with its own certificate (then TLSv1.2_2021, as configured) is the deploying team's choice.",
    });
  }
}

export interface ConsoleTenantLogin {
  id: string;
  name: string;
  userPool: IUserPool;
  client: IUserPoolClient;
}

export interface GatehouseConsoleFilesStackProps extends StackProps {
  distribution: IDistribution;
  apiUrl: string;
  tenants: readonly ConsoleTenantLogin[];
  /** The built console; by default console/dist. */
  dist?: string;
}

/** The console's files and its config.json, deployed into the bucket, and CloudFront told to serve them anew. */
export class GatehouseConsoleFilesStack extends Stack {
  constructor(scope: Construct, id: string, props: GatehouseConsoleFilesStackProps) {
    super(scope, id, props);
    const dist = props.dist ?? CONSOLE_DIST;
    const bucket = Bucket.fromBucketName(this, 'Files', consoleBucketName(this));
    if (!existsSync(join(dist, 'index.html'))) {
      Annotations.of(this).addWarning(
        `The console is not built (${dist}): run npm run console:build before deploying, or its files are not deployed.`,
      );
      // The stack is then empty, which the CDK CLI skips at deploy rather than send CloudFormation.
      Validations.of(this).acknowledge({
        id: 'CloudFormation-Validate::F0001',
        reason: 'Empty only while the console is not built (warned above); cdk deploy skips an empty stack.',
      });
      return;
    }
    const config = {
      apiUrl: props.apiUrl,
      tenants: props.tenants.map((t) => ({
        id: t.id,
        name: t.name,
        issuer: `https://cognito-idp.${this.region}.${this.urlSuffix}/${t.userPool.userPoolId}`,
        clientId: t.client.userPoolClientId,
      })),
    };
    // Hashed assets never change under their name; index.html and config.json must be read anew each time.
    const assets = new BucketDeployment(this, 'Assets', {
      destinationBucket: bucket,
      sources: [Source.asset(dist, { exclude: ['index.html'] })],
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      prune: false,
      memoryLimit: 256,
    });
    const entry = new BucketDeployment(this, 'Entry', {
      destinationBucket: bucket,
      sources: [Source.asset(dist, { exclude: ['assets/**'] }), Source.jsonData('config.json', config)],
      cacheControl: [CacheControl.noCache()],
      prune: false,
      memoryLimit: 256,
      distribution: props.distribution,
      distributionPaths: ['/index.html', '/config.json'],
    });
    // The entry points name the assets: they go up only after the assets are there.
    entry.node.addDependency(assets);
    this.acknowledgeDeploymentFunction();
  }

  /** CDK's one deployment function (shared by both deployments): its findings, each on its resource. */
  private acknowledgeDeploymentFunction() {
    const handler = this.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) return;
    const role = handler.node.findChild('ServiceRole');
    Validations.of(role.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's BucketDeployment function writes its own logs with AWS's basic execution policy; it runs only during a deployment, never on a request.",
    });
    // As cdk-nag renders them: a value CloudFormation fills in as <AWS::…>.
    const shown = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const partition = shown(this.partition, 'Partition');
    const account = shown(this.account, 'AccountId');
    const bucket = `arn:${partition}:s3:::gatehouse-console-${account}-${this.region}`;
    const wildcards = [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      'Resource::*',
      `Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-${account}-${this.region}/*`,
      `Resource::${bucket}/*`,
    ];
    for (const finding of wildcards)
      Validations.of(role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          "CDK's BucketDeployment grants: read the console's build from CDK's asset bucket, write it into the console's own bucket, and invalidate the distribution's cache (CloudFront takes no resource-level permission for that).",
      });
    Validations.of(handler.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "CDK's BucketDeployment function: its runtime is the one CDK ships it with (it bundles the AWS CLI for that runtime); it runs only while a deployment copies files.",
    });
  }
}
