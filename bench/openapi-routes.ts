/** The part of an OpenAPI 3.1 document the bench reads. */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  minimum?: number;
  $ref?: string;
}

interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** `/v1/organizations/{org}/api-users/{id}/keys` and `/v1/organizations/:org/…` compare equal. */
function shape(path: string): string {
  return path.replace(/\{[^}]+\}|:[^/]+/g, '{}').replace(/\/$/, '');
}

/**
 * The routes a running server documents, read once from its /openapi.json: a case whose route is
 * missing is reported as not available in this build instead of measured.
 * @example const routes = await readRoutes('http://127.0.0.1:3000'); routes.has('post', '/v1/verify')
 */
export class DocumentedRoutes {
  constructor(private readonly document: OpenApiDocument) {}

  operation(method: string, path: string): Operation | null {
    for (const [documented, operations] of Object.entries(this.document.paths ?? {})) {
      if (shape(documented) !== shape(path)) continue;
      return operations[method.toLowerCase()] ?? null;
    }
    return null;
  }

  has(method: string, path: string): boolean {
    return this.operation(method, path) !== null;
  }

  /** The operation's request body schema (JSON or form), `$ref`s resolved one level. */
  bodySchema(method: string, path: string): JsonSchema | null {
    const content = this.operation(method, path)?.requestBody?.content ?? {};
    const schema = Object.values(content).find((c) => c.schema)?.schema ?? null;
    return schema ? this.resolve(schema) : null;
  }

  private resolve(schema: JsonSchema): JsonSchema {
    const name = schema.$ref?.split('/').pop();
    return (name && this.document.components?.schemas?.[name]) || schema;
  }
}

/**
 * A body holding `given`, with every other required property filled from its default, example,
 * const or enum (or a plain placeholder), so a route whose body grew a required field still runs.
 * @example fillRequired(schema, { name: 'bench' })
 */
export function fillRequired(schema: JsonSchema | null, given: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...given };
  for (const name of schema?.required ?? []) {
    if (name in body) continue;
    const property = schema?.properties?.[name] ?? {};
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    body[name] = property.default ?? property.examples?.[0] ?? property.const ?? property.enum?.[0]
      ?? (type === 'integer' || type === 'number' ? (property.minimum ?? 1) : type === 'boolean' ? true : type === 'array' ? [] : type === 'object' ? {} : 'bench');
  }
  return body;
}

/** @example const routes = await readRoutes(server.baseUrl); */
export async function readRoutes(baseUrl: string): Promise<DocumentedRoutes> {
  const response = await fetch(`${baseUrl}/openapi.json`);
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  return new DocumentedRoutes((await response.json()) as OpenApiDocument);
}
