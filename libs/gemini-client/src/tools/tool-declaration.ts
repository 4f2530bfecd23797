import type { AgentToolOptions } from './agent-tool.decorator';

/**
 * The keywords `FunctionDeclaration.parameters` accepts: an OpenAPI 3.0 subset (js-genai 2.32
 * `Schema`). Anything else (`additionalProperties`, `$schema`, `$ref`, `oneOf`, `const`…) is refused
 * by the API with 400 / close 1007 at setup, which would fail every call that declares the tool
 * (PROTOCOLS.md, "Gemini Live").
 */
const PARAMETERS_KEYWORDS: ReadonlySet<string> = new Set([
  'anyOf',
  'default',
  'description',
  'enum',
  'example',
  'format',
  'items',
  'maxItems',
  'maxLength',
  'maxProperties',
  'maximum',
  'minItems',
  'minLength',
  'minProperties',
  'minimum',
  'nullable',
  'pattern',
  'properties',
  'propertyOrdering',
  'required',
  'title',
  'type',
]);

/** Where a tool's argument schema goes in its declaration, and why (the keywords `parameters` lacks). */
export interface SchemaRoute {
  field: 'parameters' | 'parametersJsonSchema';
  /** JSON pointers-ish paths of what `parameters` would refuse, e.g. `additionalProperties`. */
  reasons: string[];
}

/**
 * `parameters` when the whole schema is within that subset (its `type` names upper-cased, as js-genai
 * does: `object` → `OBJECT`), else `parametersJsonSchema` with the schema as given (plain JSON
 * Schema; the two fields are mutually exclusive).
 */
export function schemaRoute(schema: Record<string, unknown>): SchemaRoute {
  const reasons: string[] = [];
  walk(schema, '', reasons);
  return {
    field: reasons.length > 0 ? 'parametersJsonSchema' : 'parameters',
    reasons,
  };
}

/**
 * A tool's `functionDeclarations[]` entry: name, description, `behavior` when declared, and its
 * argument schema routed by `schemaRoute` (no schema: no parameters). Built once per tool at boot.
 */
export function toolDeclaration(options: AgentToolOptions): {
  declaration: Record<string, unknown>;
  route?: SchemaRoute;
} {
  const { name, description, parameters, behavior } = options;
  const declaration: Record<string, unknown> = { name, description };
  if (behavior) declaration.behavior = behavior;
  if (!parameters) return { declaration };
  const route = schemaRoute(parameters);
  declaration[route.field] =
    route.field === 'parameters' ? upperCaseTypes(parameters) : parameters;
  return { declaration, route };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects, under `path`, what in `node` the `parameters` subset cannot carry. */
function walk(node: unknown, path: string, reasons: string[]): void {
  const at = (key: string): string => (path ? `${path}.${key}` : key);
  if (!isObject(node)) {
    reasons.push(`${path || '(root)'}: not a schema object`);
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (!PARAMETERS_KEYWORDS.has(key)) reasons.push(at(key));
    else if (key === 'type' && typeof value !== 'string')
      reasons.push(`${at(key)} (not a single type name)`);
    else if (key === 'properties' && isObject(value)) {
      for (const [name, inner] of Object.entries(value))
        walk(inner, `${at(key)}.${name}`, reasons);
    } else if (key === 'properties') reasons.push(`${at(key)} (not an object)`);
    else if (key === 'items') walk(value, at(key), reasons);
    else if (key === 'anyOf' && Array.isArray(value))
      value.forEach((inner, i) => walk(inner, `${at(key)}[${i}]`, reasons));
    else if (key === 'anyOf') reasons.push(`${at(key)} (not an array)`);
  }
}

/** A copy of a `parameters` schema with its type names upper-cased (the API's `Type` enum). */
function upperCaseTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(upperCaseTypes);
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' && typeof value === 'string')
      out[key] = value.toUpperCase();
    else if (key === 'properties' && isObject(value))
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, inner]) => [
          name,
          upperCaseTypes(inner),
        ]),
      );
    else if (key === 'items' || key === 'anyOf')
      out[key] = upperCaseTypes(value);
    else out[key] = value;
  }
  return out;
}
