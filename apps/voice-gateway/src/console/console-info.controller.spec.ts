import { AdminGuard } from '@app/call-manager';
import type { AgentProfiles, GeminiConnector } from '@app/gemini-client';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { ConsoleInfoController } from './console-info.controller';

describe('ConsoleInfoController (GET /console/info)', () => {
  const controller = (model: string, names: string[]) =>
    new ConsoleInfoController(
      { modelName: () => model } as unknown as GeminiConnector,
      { names } as unknown as AgentProfiles,
    );

  it("answers the connector's model resource name and the profile names", () => {
    expect(
      controller('models/gemini-3.8-live', ['default', 'sales']).info(),
    ).toEqual({
      model: 'models/gemini-3.8-live',
      profiles: ['default', 'sales'],
    });
  });

  it('carries nothing but those two fields (no credentials, no options)', () => {
    expect(Object.keys(controller('models/x', ['default']).info())).toEqual([
      'model',
      'profiles',
    ]);
  });

  it('is behind the admin key', () => {
    expect(Reflect.getMetadata(GUARDS_METADATA, ConsoleInfoController)).toEqual(
      [AdminGuard],
    );
  });
});
