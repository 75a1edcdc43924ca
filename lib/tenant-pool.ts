// One tenant's Cognito user pool: email sign-in, admin-created logins, its policy and mail, triggers, login page, app client, SSO.
import {
  type Acknowledgment,
  Aws,
  type CfnResource,
  Duration,
  Fn,
  RemovalPolicy,
  SecretValue,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  type CfnUserPool,
  ClientAttributes,
  FeaturePlan,
  type IUserPoolIdentityProvider,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  ResourceServerScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolEmail,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
  type UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { PasswordPolicy, TenantConfig } from '#config/tenants.ts';
import { SCIM_RESOURCE_SERVER, SCIM_SCOPE_NAME } from '#services/scim-clients.ts';
import type { TriggerName } from './access.ts';

/** Where the hosted login page sends people back when the tenant configures no application yet. */
export const DEFAULT_CALLBACK_URL = 'http://localhost:8080/auth/callback';

export interface TenantPoolProps {
  tenant: TenantConfig;
  /**
   * The ARNs of the shared triggers. ARNs, not functions: given a function, CDK adds an invoke permission per
   * pool to the function's resource policy (20 KB, about 50 pools); the triggers' own single permission
   * covers every pool of the account (lib/stateful-stack.ts).
   */
  triggers: Record<TriggerName, string>;
  /** The admin console's origin: its /callback and / are registered on the app client too. */
  consoleOrigin?: string;
}

export class TenantPool extends Construct {
  readonly tenant: TenantConfig;
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly branding: CfnManagedLoginBranding;
  /** Gatehouse's own API as an OAuth resource server: its `scim` scope is what SCIM OAuth clients are granted. */
  readonly resourceServer: UserPoolResourceServer;
  /** The pool domain's token endpoint: where a SCIM OAuth client takes its client-credentials grant. */
  readonly tokenUrl: string;
  /** The managed login page a person opens: the app client's sign-in, back to its first callback URL. */
  readonly loginUrl: string;

  constructor(scope: Construct, id: string, props: TenantPoolProps) {
    super(scope, id);
    const { tenant, triggers } = props;
    const region = Stack.of(this).region;
    this.tenant = tenant;
    const plus = tenant.featurePlan === 'plus';

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `gatehouse-${tenant.id}`,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: false,
      standardAttributes: { email: { required: true, mutable: true } },
      // Set once by Gatehouse when it creates the login, and never changed by it; the triggers and the API trust
      // them because no app client may write them (see the client's writeAttributes), and they prove them by the
      // login's sub. Mutable only because Cognito links an identity-provider account (AdminLinkProviderForUser,
      // single sign-on) to no user that holds an immutable custom attribute.
      customAttributes: {
        tenantId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        userId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: tenant.passwordPolicy.minimumLength,
        requireLowercase: tenant.passwordPolicy.requireLowercase,
        requireUppercase: tenant.passwordPolicy.requireUppercase,
        requireDigits: tenant.passwordPolicy.requireNumbers,
        requireSymbols: tenant.passwordPolicy.requireSymbols,
        tempPasswordValidity: Duration.days(tenant.passwordPolicy.temporaryPasswordValidityDays),
      },
      mfa: { off: Mfa.OFF, optional: Mfa.OPTIONAL, required: Mfa.REQUIRED }[tenant.mfa],
      ...(tenant.mfa === 'off' ? {} : { mfaSecondFactor: { otp: true, sms: false } }),
      enableSmsRole: false,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      email:
        tenant.mailVia === 'cognito'
          ? UserPoolEmail.withCognito()
          : UserPoolEmail.withSES({
              fromEmail: tenant.mailFrom,
              fromName: tenant.name,
              sesRegion: region,
              ...(tenant.sesVerifiedDomain ? { sesVerifiedDomain: tenant.sesVerifiedDomain } : {}),
            }),
      featurePlan: plus ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(plus ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    (this.userPool.node.defaultChild as CfnUserPool).lambdaConfig = {
      customMessage: triggers.customMessage,
      postAuthentication: triggers.postAuthentication,
      preAuthentication: triggers.preAuthentication,
      preSignUp: triggers.preSignUp,
      preTokenGeneration: triggers.preTokenGeneration,
    };

    const providers = tenant.sso ? [this.identityProvider(tenant.sso)] : [];

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: tenant.domainPrefix ?? defaultDomainPrefix(tenant.id) },
      // Managed login (version 2), with the tenant's branding below, rather than the classic hosted UI.
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });

    // The SCIM OAuth clients an administrator creates through the API (POST /scim-clients) are app clients of
    // this pool, allowed the client-credentials grant for this scope alone; the pool's own app client is not.
    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: SCIM_RESOURCE_SERVER,
      userPoolResourceServerName: 'Gatehouse',
      scopes: [
        new ResourceServerScope({
          scopeName: SCIM_SCOPE_NAME,
          scopeDescription: "Provision the tenant's users and groups over SCIM 2.0",
        }),
      ],
    });
    this.tokenUrl = `${this.domain.baseUrl()}/oauth2/token`;

    this.client = this.userPool.addClient('AppClient', {
      userPoolClientName: `${tenant.id}-app`,
      // A public client (browser or mobile app): no secret; Cognito then takes PKCE with the code grant.
      generateSecret: false,
      // SRP (the password never leaves the device) and refresh; USER_PASSWORD_AUTH, which the offline
      // sign-in helper uses against the emulator, stays off in AWS.
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [
          ...(tenant.appClient?.callbackUrls ?? [DEFAULT_CALLBACK_URL]),
          ...(props.consoleOrigin ? [`${props.consoleOrigin}/callback`] : []),
        ],
        ...(tenant.appClient?.logoutUrls || props.consoleOrigin
          ? {
              logoutUrls: [
                ...(tenant.appClient?.logoutUrls ?? []),
                ...(props.consoleOrigin ? [`${props.consoleOrigin}/`] : []),
              ],
            }
          : {}),
      },
      supportedIdentityProviders: [
        UserPoolClientIdentityProvider.COGNITO,
        ...providers.map((p) => UserPoolClientIdentityProvider.custom(p.providerName)),
      ],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      authSessionValidity: Duration.minutes(3),
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, givenName: true, familyName: true })
        .withCustomAttributes('tenantId', 'userId'),
      // Never the custom attributes; the email (the login) only where an identity provider maps it in,
      // which Cognito requires to be writable.
      writeAttributes: new ClientAttributes().withStandardAttributes({
        givenName: true,
        familyName: true,
        email: providers.length > 0,
      }),
    });
    for (const provider of providers) this.client.node.addDependency(provider);

    // Managed login shows nothing of the tenant by itself: its name goes on the form, as the form's logo.
    this.branding = new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: false,
      assets: [
        {
          category: 'FORM_LOGO',
          colorMode: 'DYNAMIC',
          extension: 'SVG',
          bytes: Buffer.from(nameLogo(tenant.name)).toString('base64'),
        },
      ],
    });
    // A branding style needs the domain's managed login version in place.
    this.branding.node.addDependency(this.domain);
    // As UserPoolDomain.signInUrl() builds it, but with the redirect URI encoded (it may hold its own query).
    const redirectUri = (tenant.appClient?.callbackUrls ?? [DEFAULT_CALLBACK_URL])[0] as string;
    this.loginUrl = Fn.join('', [
      this.domain.baseUrl(),
      '/login?client_id=',
      this.client.userPoolClientId,
      `&response_type=code&redirect_uri=${encodeURIComponent(redirectUri)}`,
    ]);

    this.acknowledgeTenantChoices();
  }

  private identityProvider(sso: NonNullable<TenantConfig['sso']>): IUserPoolIdentityProvider {
    if (sso.type === 'oidc') {
      return new UserPoolIdentityProviderOidc(this, 'Oidc', {
        userPool: this.userPool,
        name: sso.name,
        issuerUrl: sso.issuerUrl,
        clientId: sso.clientId,
        // A dynamic reference: CloudFormation reads the secret at deploy time; the template never holds it.
        clientSecret: SecretValue.secretsManager(sso.clientSecretName).unsafeUnwrap(),
        scopes: sso.scopes ?? ['openid', 'email', 'profile'],
        attributeMapping: {
          email: ProviderAttribute.other('email'),
          givenName: ProviderAttribute.other('given_name'),
          familyName: ProviderAttribute.other('family_name'),
        },
      });
    }
    const claims = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
    return new UserPoolIdentityProviderSaml(this, 'Saml', {
      userPool: this.userPool,
      name: sso.name,
      metadata: UserPoolIdentityProviderSamlMetadata.url(sso.metadataUrl),
      attributeMapping: {
        email: ProviderAttribute.other(`${claims}/emailaddress`),
        givenName: ProviderAttribute.other(`${claims}/givenname`),
        familyName: ProviderAttribute.other(`${claims}/surname`),
      },
    });
  }

  /** cdk-nag findings that are the tenant's own configured choice, acknowledged on this pool only. */
  private acknowledgeTenantChoices(): void {
    const { tenant } = this;
    const suppressions: Acknowledgment[] = [];
    const relaxed = relaxedRules(tenant.passwordPolicy);
    if (relaxed.length > 0) {
      suppressions.push({
        id: 'AwsSolutions-COG1',
        reason: `Tenant ${tenant.id}'s password policy (at least ${tenant.passwordPolicy.minimumLength} characters; ${relaxed.join(', ')} not required) is the tenant's own, set in the tenants configuration; length counts for more than composition (NIST SP 800-63B).`,
      });
    }
    if (tenant.mfa !== 'required') {
      suppressions.push({
        id: 'AwsSolutions-COG2',
        reason: `Tenant ${tenant.id} configures MFA as "${tenant.mfa}" in the tenants configuration; TOTP is offered whenever MFA is not off, and "required" is one config change away.`,
      });
    }
    if (tenant.featurePlan !== 'plus') {
      suppressions.push({
        id: 'AwsSolutions-COG8',
        reason: `Tenant ${tenant.id} is on the Essentials feature plan by configuration: Plus (threat protection) is billed per monthly active user and is the tenant's choice (featurePlan: "plus").`,
      });
    }
    // On the pool resource itself, so nothing else of the tenant's is covered by them.
    Validations.of(this.userPool.node.defaultChild as CfnResource).acknowledge(...suppressions);
  }
}

/** The tenant's name as an SVG image, escaped for XML: the logo managed login shows above its form. */
export function nameLogo(name: string): string {
  const text = name.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="64" viewBox="0 0 480 64" role="img">' +
    `<title>${text}</title>` +
    `<text x="240" y="42" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="28" font-weight="600" fill="#35495e">${text}</text>` +
    '</svg>'
  );
}

/** `gatehouse-<tenant>-<first 8 characters of the stack's UUID>`: unique per deployment without coordination. */
function defaultDomainPrefix(tenantId: string): string {
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  return `gatehouse-${tenantId}-${Fn.select(0, Fn.split('-', stackUuid))}`;
}

/** What the policy leaves out of cdk-nag's AwsSolutions-COG1 (upper case, digits, symbols; length ≥ 8 by schema). */
function relaxedRules(policy: PasswordPolicy): string[] {
  return [
    policy.requireUppercase ? '' : 'upper case',
    policy.requireNumbers ? '' : 'digits',
    policy.requireSymbols ? '' : 'symbols',
  ].filter(Boolean);
}
