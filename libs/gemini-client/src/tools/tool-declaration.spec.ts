import { schemaRoute, toolDeclaration } from './tool-declaration';

describe('tool declarations', () => {
  it('sends a schema within the OpenAPI subset as parameters, type names upper-cased', () => {
    const { declaration, route } = toolDeclaration({
      name: 'opening_hours',
      description: 'Opening hours for a day.',
      parameters: {
        type: 'object',
        properties: {
          day: { type: 'string', enum: ['monday', 'tuesday'] },
          slots: { type: 'array', items: { type: 'integer', minimum: 0 } },
        },
        required: ['day'],
      },
    });
    expect(route).toEqual({ field: 'parameters', reasons: [] });
    expect(declaration).toEqual({
      name: 'opening_hours',
      description: 'Opening hours for a day.',
      parameters: {
        type: 'OBJECT',
        properties: {
          day: { type: 'STRING', enum: ['monday', 'tuesday'] },
          slots: { type: 'ARRAY', items: { type: 'INTEGER', minimum: 0 } },
        },
        required: ['day'],
      },
    });
  });

  it.each([
    [{ type: 'object', additionalProperties: false }, ['additionalProperties']],
    [
      {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
      },
      ['$schema'],
    ],
    [
      {
        type: 'object',
        properties: {
          when: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
          note: { type: ['string', 'null'] },
          tags: { type: 'array', items: { const: 'x' } },
        },
      },
      [
        'properties.when.oneOf',
        'properties.note.type (not a single type name)',
        'properties.tags.items.const',
      ],
    ],
  ])(
    'sends %j as parametersJsonSchema, unchanged (parameters would refuse %j)',
    (schema, reasons) => {
      expect(schemaRoute(schema as never)).toEqual({
        field: 'parametersJsonSchema',
        reasons,
      });
      const { declaration } = toolDeclaration({
        name: 't',
        description: 'd',
        parameters: schema as never,
      });
      expect(declaration.parametersJsonSchema).toBe(schema);
      expect(declaration).not.toHaveProperty('parameters');
    },
  );

  it('declares behavior when the tool does, and no parameters without a schema', () => {
    expect(
      toolDeclaration({
        name: 'lookup',
        description: 'd',
        behavior: 'NON_BLOCKING',
        scheduling: 'WHEN_IDLE',
      }),
    ).toEqual({
      declaration: {
        name: 'lookup',
        description: 'd',
        behavior: 'NON_BLOCKING',
      },
    });
  });
});
