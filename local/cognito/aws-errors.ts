// AWS Cognito's error messages, word for word: clients (and Gatehouse's error mapping) may match on them.

export const INCORRECT = 'Incorrect username or password.';
export const USER_NOT_FOUND = 'User does not exist.';
export const DISABLED = 'User is disabled.';
/** NotAuthorizedException while a user is locked out after repeated failed sign-ins. */
export const ATTEMPTS_EXCEEDED = 'Password attempts exceeded';
export const TEMPORARY_EXPIRED = 'Temporary password has expired and must be reset by an administrator.';
export const INVALID_SESSION = 'Invalid session for the user.';
export const EXPIRED_SESSION = 'Invalid session for the user, session is expired.';

export const INVALID_REFRESH_TOKEN = 'Invalid Refresh Token';
export const REFRESH_TOKEN_REVOKED = 'Refresh Token has been revoked';
export const INVALID_ACCESS_TOKEN = 'Invalid Access Token';
export const ACCESS_TOKEN_REVOKED = 'Access Token has been revoked';
export const ACCESS_TOKEN_EXPIRED = 'Access Token has expired';

/** CodeMismatchException from ConfirmForgotPassword. */
export const CODE_MISMATCH = 'Invalid verification code provided, please try again.';
/** PasswordResetRequiredException, at sign-in after AdminResetUserPassword (no final period, as AWS). */
export const PASSWORD_RESET_REQUIRED = 'Password reset required for the user';
/** NotAuthorizedException from AdminResetUserPassword and ForgotPassword for a FORCE_CHANGE_PASSWORD user. */
export const CANNOT_RESET_PASSWORD = 'User password cannot be reset in the current state.';
/** InvalidParameterException when there is nowhere to send a reset code. */
export const NO_RECOVERY_DESTINATION =
  'Cannot reset password for the user as there is no registered/verified email or phone_number';
/** UnsupportedUserStateException from AdminCreateUser RESEND for a user who has already set a password. */
export const resendNotPossible = (username: string) =>
  `Resend not possible. ${username} status is not FORCE_CHANGE_PASSWORD`;

/** CodeMismatchException from RespondToAuthChallenge SOFTWARE_TOKEN_MFA: a wrong authenticator code. */
export const MFA_CODE_MISMATCH = 'Invalid code received for user';
/** EnableSoftwareTokenMFAException from VerifySoftwareToken: the code does not match the associated secret. */
export const SOFTWARE_TOKEN_MISMATCH = 'Code mismatch';
