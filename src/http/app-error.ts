/**
 * The one error type of the service. Every code is listed here with its HTTP status and title,
 * so the codes form a closed union and the docs page at /problems/{code} can describe each.
 */
export const ERROR_CODES = {
  'request.invalid': [400, 'The request is not valid'],
  'request.malformed_json': [400, 'The body is not valid JSON'],
  'request.malformed_xml': [400, 'The body is not well-formed XML'],
  'request.dtd_not_allowed': [400, 'Document type declarations and entities are not accepted'],
  'request.xml_too_complex': [400, 'The XML is nested too deep or has too many elements'],
  'request.not_soap_envelope': [400, 'The body is not a SOAP envelope'],
  'request.unknown_operation': [400, 'No such SOAP operation'],
  'request.must_understand': [400, 'A mandatory SOAP header block is not understood'],
  'request.unsupported_media_type': [415, 'Unsupported media type'],
  'request.body_too_large': [413, 'The body is too large'],
  'request.method_not_allowed': [405, 'Method not allowed'],
  'request.not_found': [404, 'No such resource'],
  'request.cursor_invalid': [400, 'The pagination cursor is not valid'],
  'precondition.required': [428, 'If-Match is required'],
  'precondition.failed': [412, 'The resource changed since you read it'],
  'auth.unauthenticated': [401, 'Authentication is required'],
  'auth.invalid_credentials': [401, 'Email or password is incorrect'],
  'auth.csrf_failed': [403, 'The CSRF token is missing or wrong'],
  'auth.forbidden': [403, 'Your role does not allow this'],
  'auth.too_many_attempts': [429, 'Too many failed attempts'],
  'auth.account_disabled': [403, 'This account is disabled'],
  'setup.link_invalid': [404, 'This setup link is not valid'],
  'setup.already_done': [409, 'Setup is already complete'],
  'invite.link_invalid': [404, 'This invitation link is not valid'],
  'organization.not_found': [404, 'No such organization'],
  'administrator.not_found': [404, 'No such administrator'],
  'administrator.email_taken': [409, 'Another administrator has this email'],
  'administrator.is_owner': [409, 'The Account owner cannot be changed this way'],
  'administrator.is_self': [409, 'You cannot do this to your own account'],
  'password.rejected': [400, 'The password does not meet the rules'],
  'role.not_found': [404, 'No such role'],
  'role.built_in': [409, 'Built-in roles cannot be changed'],
  'role.name_taken': [409, 'Another role has this name'],
  'role.in_use': [409, 'The role is assigned to users'],
  'role.not_assignable': [403, 'You cannot assign this role'],
  'token.not_found': [404, 'No such access token'],
  'application.not_found': [404, 'No such application'],
  'application.key_taken': [409, 'Another application has this key'],
  'application.built_in': [409, 'Built-in applications cannot be changed'],
  'application.in_use': [409, 'API users connect as this application'],
  'application_not_assigned': [403, 'This API user may not connect as this application'],
  'api_user.not_found': [404, 'No such API user'],
  'api_user.username_taken': [409, 'This username is taken'],
  'api_user.username_immutable': [409, 'The username cannot be changed'],
  'api_user.last_for_application': [409, 'This is the only API user of an application'],
  'api_user.invalid_credentials': [401, 'The API user name or password is incorrect'],
  'api_user.too_many_attempts': [429, 'Too many failed attempts'],
  'api_user.no_contact_email': [409, 'The API user has no email to send the invitation to'],
  'mail.unavailable': [404, 'The local mailbox is off'],
  'api_key.not_found': [404, 'No such API key'],
  'api_key.limit_reached': [409, 'Too many live API keys'],
  'api_user.rate_limited': [429, 'Rate limit reached'],
  'credential.malformed': [401, 'The credential is malformed'],
  'credential.invalid': [401, 'The credential is not valid'],
  'credential.expired': [401, 'The credential has expired'],
  'credential.revoked': [401, 'The credential was revoked'],
  'internal': [500, 'Internal server error'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One invalid field: `pointer` is an RFC 6901 JSON pointer into `location`. */
export interface FieldError {
  location: 'body' | 'query' | 'params' | 'headers';
  pointer: string;
  detail: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly title: string;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; [key: string]: unknown } = {},
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    const [status, title] = ERROR_CODES[code];
    this.status = status;
    this.title = title;
  }
}

/** @example throw appError('role.not_found', `No role ${id} in this organization.`) */
export function appError(code: ErrorCode, detail: string, extra?: AppError['extra']): AppError {
  return new AppError(code, detail, extra);
}

/** A 400 naming one field. @example throw invalidField('body', '/name', 'must not be empty') */
export function invalidField(location: FieldError['location'], pointer: string, detail: string): AppError {
  return new AppError('request.invalid', `${location} ${pointer}: ${detail}`, { errors: [{ location, pointer, detail }] });
}
