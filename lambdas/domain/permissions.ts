// Gatehouse's own permissions: what the API's routes need. Roles carry them, with the application's own.

export const PERMISSIONS = [
  'users.read',
  'users.create',
  'users.update',
  'users.lifecycle',
  'users.delete',
  'users.password.reset',
  'users.email',
  'roles.manage',
  'history.read',
  // Creating and revoking the tokens a customer's directory provisions users with (SCIM).
  'scim.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
