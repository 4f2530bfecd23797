import { AdminGuard } from '@app/call-manager';
import { AgentProfiles, GeminiConnector } from '@app/gemini-client';
import { Controller, Get, Header, UseGuards } from '@nestjs/common';

/** What the console shows about this server: read-only, no credentials. */
export interface ConsoleInfo {
  /** The Live model resource name the talk panel sets up (`models/…`, or a Vertex `projects/…` path). */
  model: string;
  /** Agent profile names, default first: the choices of the console's outbound form. */
  profiles: string[];
}

/**
 * `GET /console/info` (admin key): the model the talk panel asks the browser proxy for, and the
 * profile names `POST /calls` accepts. Nothing here is secret; it sits behind the admin key with the
 * rest of the console's API all the same.
 */
@Controller('console')
@UseGuards(AdminGuard)
export class ConsoleInfoController {
  constructor(
    private readonly connector: GeminiConnector,
    private readonly profiles: AgentProfiles,
  ) {}

  @Get('info')
  @Header('Cache-Control', 'no-store')
  info(): ConsoleInfo {
    return {
      model: this.connector.modelName(),
      profiles: this.profiles.names,
    };
  }
}
