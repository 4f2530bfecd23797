import { AgentTool } from '@app/gemini-client';
import { Injectable, Module } from '@nestjs/common';

/** Tools for the Gemini 3.8 protocol e2e tests: a JSON Schema `parameters` refuses, scheduling. */
@Injectable()
export class ProtocolTools {
  /** Its schema uses `additionalProperties`: sent as parametersJsonSchema, or every setup fails. */
  @AgentTool({
    name: 'book_table',
    description: 'Books a table for a number of guests.',
    behavior: 'NON_BLOCKING',
    scheduling: 'WHEN_IDLE',
    parameters: {
      type: 'object',
      properties: { guests: { type: 'integer', minimum: 1 } },
      required: ['guests'],
      additionalProperties: false,
    },
  })
  bookTable(args: { guests: number }): { booked: boolean; guests: number } {
    return { booked: true, guests: args.guests };
  }

  /** Only adds to the model's context: the model says nothing about it. */
  @AgentTool({
    name: 'note_preference',
    description: 'Remembers a caller preference.',
    behavior: 'NON_BLOCKING',
    scheduling: 'SILENT',
  })
  notePreference(): string {
    return 'noted';
  }
}

@Module({ providers: [ProtocolTools] })
export class ProtocolToolsModule {}
