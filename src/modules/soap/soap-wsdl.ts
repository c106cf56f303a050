/**
 * The WSDL 1.1 of the SOAP endpoint, with a SOAP 1.1 and a SOAP 1.2 binding (the WSDL 1.1
 * binding for SOAP 1.2 note) of one port type: document/literal (WS-I Basic Profile 1.1 §4.7), one
 * element per message, every message described by the XSD below. Element names are the field
 * names of the REST API, so docs/api.md describes both. Absent optional elements mean null.
 */

/** Fixed, so one generated client works against every deployment; only the address changes. */
export const SOAP_NAMESPACE = 'urn:apiusers:api:v2';
export const SOAP_PATH = '/v2/api.svc';

/** [name, XSD type, occurrence]: '' once, '?' optional, '*' repeated. */
export type Field = readonly [string, string, ('' | '?' | '*')?];

const CREDENTIALS: Field[] = [
  ['username', 'xs:string', '?'],
  ['password', 'xs:string', '?'],
];

export const TYPES: Record<string, Field[]> = {
  ApplicationRef: [['id', 'xs:string'], ['key', 'xs:string'], ['name', 'xs:string']],
  ApplicationRefList: [['application', 'tns:ApplicationRef', '*']],
  ApplicationKeyList: [['application', 'xs:string', '*']],
  Role: [['id', 'xs:string'], ['name', 'xs:string']],
  OrganizationRef: [['id', 'xs:string'], ['account_number', 'xs:string'], ['display_name', 'xs:string']],
  RateLimit: [['tier', 'xs:string'], ['requests_per_minute', 'xs:int', '?']],
  AccountApiUser: [['id', 'xs:string'], ['username', 'xs:string'], ['name', 'xs:string'], ['description', 'xs:string'], ['status', 'xs:string'], ['last_sign_in_at', 'xs:dateTime', '?']],
  AccountOrganization: [['id', 'xs:string'], ['account_number', 'xs:string'], ['display_name', 'xs:string'], ['name', 'xs:string'], ['time_zone', 'xs:string'], ['time_zone_label', 'xs:string']],
  ApplicationKey: [['key', 'xs:string']],
  ApiUser: [
    ['id', 'xs:string'], ['username', 'xs:string'], ['name', 'xs:string'], ['first_name', 'xs:string'], ['last_name', 'xs:string'],
    ['email', 'xs:string', '?'], ['description', 'xs:string'], ['status', 'xs:string'], ['role', 'tns:Role'],
    ['applications', 'tns:ApplicationRefList'], ['organization', 'tns:OrganizationRef'], ['time_zone', 'xs:string'],
    ['time_zone_label', 'xs:string'], ['last_sign_in_at', 'xs:dateTime', '?'], ['delete_warning', 'xs:string', '?'],
    ['rate_limit_tier', 'xs:string', '?'], ['effective_rate_limit', 'tns:RateLimit'], ['version', 'xs:int'],
    ['created_at', 'xs:dateTime'], ['updated_at', 'xs:dateTime'],
  ],
  DirectoryEntry: [
    ['id', 'xs:string'], ['kind', 'xs:string'], ['name', 'xs:string'], ['first_name', 'xs:string'], ['last_name', 'xs:string'],
    ['username', 'xs:string', '?'], ['email', 'xs:string', '?'], ['description', 'xs:string'], ['status', 'xs:string'],
    ['role', 'tns:Role'], ['organization_id', 'xs:string'], ['organization', 'tns:OrganizationRef'],
    ['applications', 'tns:ApplicationRefList'], ['last_sign_in_at', 'xs:dateTime', '?'], ['version', 'xs:int'],
    ['created_at', 'xs:dateTime'], ['updated_at', 'xs:dateTime'],
  ],
  ApiUserList: [['api_user', 'tns:DirectoryEntry', '*']],
  NewApiUser: [
    ['username', 'xs:string', '?'], ['first_name', 'xs:string', '?'], ['last_name', 'xs:string', '?'], ['email', 'xs:string', '?'],
    ['description', 'xs:string', '?'], ['status', 'xs:string', '?'], ['applications', 'tns:ApplicationKeyList', '?'],
    ['password', 'xs:string', '?'], ['password_confirmation', 'xs:string', '?'],
  ],
  ApiUserChanges: [
    ['first_name', 'xs:string', '?'], ['last_name', 'xs:string', '?'], ['email', 'xs:string', '?'], ['description', 'xs:string', '?'],
    ['status', 'xs:string', '?'], ['applications', 'tns:ApplicationKeyList', '?'], ['password', 'xs:string', '?'],
    ['password_confirmation', 'xs:string', '?'], ['rate_limit_tier', 'xs:string', '?'],
  ],
  VerifiedApiUser: [['id', 'xs:string'], ['username', 'xs:string'], ['name', 'xs:string'], ['status', 'xs:string']],
  VerifiedCredential: [['id', 'xs:string'], ['kind', 'xs:string']],
  ScopeList: [['scope', 'xs:string', '*']],
  VerifyRateLimit: [['tier', 'xs:string'], ['limit', 'xs:int', '?'], ['remaining', 'xs:int', '?'], ['reset_seconds', 'xs:int']],
  FieldError: [['location', 'xs:string'], ['pointer', 'xs:string'], ['detail', 'xs:string']],
  FieldErrorList: [['error', 'tns:FieldError', '*']],
};

/** The request and response element of each operation. */
export const OPERATIONS: Record<string, { input: Field[]; output: Field[]; doc: string }> = {
  GetCurrentAccountInfo: {
    doc: 'The API user behind the credentials, its organization, applications and rate limit (GET /v2/account-info).',
    input: [...CREDENTIALS, ['application', 'xs:string', '?']],
    output: [
      ['api_user', 'tns:AccountApiUser'], ['organization', 'tns:AccountOrganization'], ['application', 'tns:ApplicationKey'],
      ['applications', 'tns:ApplicationRefList'], ['limits', 'tns:RateLimit'],
    ],
  },
  ListApiUsers: {
    doc: 'Search and page through the API users of your organization (GET /v1/organizations/{org}/api-users).',
    input: [...CREDENTIALS, ['q', 'xs:string', '?'], ['status', 'xs:string', '?'], ['role_id', 'xs:string', '?'], ['application', 'xs:string', '?'], ['sort', 'xs:string', '?'], ['limit', 'xs:int', '?'], ['cursor', 'xs:string', '?']],
    output: [['api_users', 'tns:ApiUserList'], ['next_cursor', 'xs:string', '?'], ['time_zone', 'xs:string'], ['time_zone_label', 'xs:string']],
  },
  GetApiUser: {
    doc: 'One API user, with the delete warning when it is the only enabled API user of an application.',
    input: [...CREDENTIALS, ['id', 'xs:string']],
    output: [['api_user', 'tns:ApiUser']],
  },
  CreateApiUser: {
    doc: 'Create an API user: a typed password (twice), or an email to send the invitation to.',
    input: [...CREDENTIALS, ['api_user', 'tns:NewApiUser']],
    output: [['api_user', 'tns:ApiUser'], ['invite_sent', 'xs:boolean']],
  },
  UpdateApiUser: {
    doc: 'Edit an API user; version is the one you read (If-Match in REST); confirm=true passes the last-user guard.',
    input: [...CREDENTIALS, ['id', 'xs:string'], ['version', 'xs:int'], ['confirm', 'xs:boolean', '?'], ['changes', 'tns:ApiUserChanges']],
    output: [['api_user', 'tns:ApiUser']],
  },
  DisableApiUser: {
    doc: 'Set the status to disabled; guarded like delete.',
    input: [...CREDENTIALS, ['id', 'xs:string'], ['version', 'xs:int'], ['confirm', 'xs:boolean', '?']],
    output: [['api_user', 'tns:ApiUser']],
  },
  EnableApiUser: {
    doc: 'Set the status to enabled.',
    input: [...CREDENTIALS, ['id', 'xs:string'], ['version', 'xs:int']],
    output: [['api_user', 'tns:ApiUser']],
  },
  DeleteApiUser: {
    doc: 'Delete an API user and its credentials; fault api_user.last_for_application unless confirm=true.',
    input: [...CREDENTIALS, ['id', 'xs:string'], ['version', 'xs:int'], ['confirm', 'xs:boolean', '?']],
    output: [['deleted', 'xs:boolean']],
  },
  ResendInvite: {
    doc: 'Email a new invitation (the previous link stops working).',
    input: [...CREDENTIALS, ['id', 'xs:string']],
    output: [['api_user', 'tns:ApiUser'], ['invite_sent', 'xs:boolean']],
  },
  VerifyCredential: {
    doc: "Check a credential an API user presented to your service (POST /v1/verify); needs the verify privilege.",
    input: [...CREDENTIALS, ['credential', 'xs:string'], ['application', 'xs:string', '?']],
    output: [
      ['valid', 'xs:boolean'], ['code', 'xs:string'], ['detail', 'xs:string'], ['api_user', 'tns:VerifiedApiUser', '?'],
      ['organization', 'tns:OrganizationRef', '?'], ['application', 'xs:string'], ['credential', 'tns:VerifiedCredential', '?'],
      ['scopes', 'tns:ScopeList'], ['expires_at', 'xs:dateTime', '?'], ['rate_limit', 'tns:VerifyRateLimit', '?'], ['retry_after', 'xs:int', '?'],
    ],
  },
};

/** The `detail` of every fault: the REST problem's fields. */
const API_FAULT: Field[] = [
  ['code', 'xs:string'], ['status', 'xs:int'], ['title', 'xs:string'], ['detail', 'xs:string'], ['instance', 'xs:string'],
  ['errors', 'tns:FieldErrorList', '?'], ['warning', 'xs:string', '?'], ['retry_after', 'xs:int', '?'],
];

function sequence(fields: readonly Field[], indent: string): string {
  const lines = fields.map(([name, type, occurs = '']) => {
    const min = occurs === '' ? '' : ' minOccurs="0"';
    const max = occurs === '*' ? ' maxOccurs="unbounded"' : '';
    return `${indent}  <xs:element name="${name}" type="${type}"${min}${max}/>`;
  });
  return `${indent}<xs:sequence>\n${lines.join('\n')}\n${indent}</xs:sequence>`;
}

const complexType = (name: string, fields: readonly Field[]) => `      <xs:complexType name="${name}">\n${sequence(fields, '        ')}\n      </xs:complexType>`;
const element = (name: string, fields: readonly Field[]) =>
  `      <xs:element name="${name}">\n        <xs:complexType>\n${sequence(fields, '          ')}\n        </xs:complexType>\n      </xs:element>`;

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/**
 * The WSDL with the service address at `publicUrl` (config PUBLIC_URL).
 * @example apiWsdl('https://apiusers.example.com') // '<?xml …<soap:address location="https://apiusers.example.com/v2/api.svc"/>…'
 */
export function apiWsdl(publicUrl: string): string {
  const names = Object.keys(OPERATIONS);
  const types = [
    ...Object.entries(TYPES).map(([name, fields]) => complexType(name, fields)),
    ...Object.entries(OPERATIONS).flatMap(([name, op]) => [element(name, op.input), element(`${name}Response`, op.output)]),
    element('ApiFault', API_FAULT),
  ].join('\n');
  const messages = names.flatMap((name) => [
    `  <wsdl:message name="${name}"><wsdl:part name="parameters" element="tns:${name}"/></wsdl:message>`,
    `  <wsdl:message name="${name}Response"><wsdl:part name="parameters" element="tns:${name}Response"/></wsdl:message>`,
  ]).join('\n');
  const portOperations = names.map((name) => [
    `    <wsdl:operation name="${name}">`,
    `      <wsdl:documentation>${OPERATIONS[name]!.doc.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</wsdl:documentation>`,
    `      <wsdl:input message="tns:${name}"/>`,
    `      <wsdl:output message="tns:${name}Response"/>`,
    '      <wsdl:fault name="ApiFault" message="tns:ApiFault"/>',
    '    </wsdl:operation>',
  ].join('\n')).join('\n');
  /** The binding operations, for the SOAP 1.1 (`soap`) or SOAP 1.2 (`soap12`) binding namespace. */
  const bindingOperations = (soap: string) => names.map((name) => [
    `    <wsdl:operation name="${name}">`,
    `      <${soap}:operation soapAction="${SOAP_NAMESPACE}/${name}" style="document"/>`,
    `      <wsdl:input><${soap}:body use="literal"/></wsdl:input>`,
    `      <wsdl:output><${soap}:body use="literal"/></wsdl:output>`,
    `      <wsdl:fault name="ApiFault"><${soap}:fault name="ApiFault" use="literal"/></wsdl:fault>`,
    '    </wsdl:operation>',
  ].join('\n')).join('\n');
  const address = `${escapeAttribute(publicUrl)}${SOAP_PATH}`;
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="ApiService" targetNamespace="${SOAP_NAMESPACE}"
  xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${SOAP_NAMESPACE}">
  <wsdl:documentation>apiusers API v2 over SOAP 1.1 and 1.2: the consumption API, API user management and the verify API. See docs/soap.md.</wsdl:documentation>
  <wsdl:types>
    <xs:schema targetNamespace="${SOAP_NAMESPACE}" elementFormDefault="qualified">
${types}
    </xs:schema>
  </wsdl:types>
${messages}
  <wsdl:message name="ApiFault"><wsdl:part name="detail" element="tns:ApiFault"/></wsdl:message>
  <wsdl:portType name="ApiServiceSoap">
${portOperations}
  </wsdl:portType>
  <wsdl:binding name="ApiServiceSoap" type="tns:ApiServiceSoap">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
${bindingOperations('soap')}
  </wsdl:binding>
  <wsdl:binding name="ApiServiceSoap12" type="tns:ApiServiceSoap">
    <soap12:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
${bindingOperations('soap12')}
  </wsdl:binding>
  <wsdl:service name="ApiService">
    <wsdl:port name="ApiServiceSoap" binding="tns:ApiServiceSoap">
      <soap:address location="${address}"/>
    </wsdl:port>
    <wsdl:port name="ApiServiceSoap12" binding="tns:ApiServiceSoap12">
      <soap12:address location="${address}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}

function shape(fields: readonly Field[], value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, type, occurs = ''] of fields) {
    const item = value[name];
    if (item === null || item === undefined) continue;
    out[name] = occurs === '*' ? (Array.isArray(item) ? item : [item]).map((one) => shapeValue(type, one)) : shapeValue(type, item);
  }
  return out;
}

function shapeValue(type: string, value: unknown): unknown {
  if (!type.startsWith('tns:')) return value;
  const fields = TYPES[type.slice(4)]!;
  // A list type (one repeated element) takes the REST array as it is: [a, b] -> <application>a</application>…
  if (Array.isArray(value) && fields.length === 1 && fields[0]![2] === '*') return shape(fields, { [fields[0]![0]]: value });
  return shape(fields, value as Record<string, unknown>);
}

/**
 * An operation's REST-shaped answer as its XSD declares it, the way REST response schemas strip
 * undeclared fields: only declared elements, in the sequence order (order-sensitive stacks such
 * as WCF's DataContractSerializer skip misplaced elements), nulls left out (minOccurs="0").
 * @example shapeResponse('GetApiUser', { api_user: presentApiUser(…) })
 */
export function shapeResponse(operation: string, value: Record<string, unknown>): Record<string, unknown> {
  return shape(OPERATIONS[operation]!.output, value);
}
