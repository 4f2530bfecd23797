import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import Ajv, { ValidateFunction } from 'ajv';
import type { AgentProfile } from '../profiles/agent-profile';
import {
  AgentTool,
  AgentToolOptions,
  ToolCallContext,
} from './agent-tool.decorator';
import { toolDeclaration } from './tool-declaration';

/** A discovered tool: its declaration, argument validator and bound handler. */
export interface RegisteredTool {
  options: AgentToolOptions;
  /** Its `functionDeclarations[]` entry, decided at boot (schema as parameters or parametersJsonSchema). */
  declaration: Record<string, unknown>;
  validate: ValidateFunction;
  handler: (args: unknown, context: ToolCallContext) => unknown;
}

const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Finds every `@AgentTool` method on the application's providers at bootstrap (the pattern of
 * @nestjs/schedule's explorer) and compiles its argument schema once.
 */
@Injectable()
export class AgentToolRegistry implements OnModuleInit {
  private readonly logger = new Logger(AgentToolRegistry.name);
  private readonly tools = new Map<string, RegisteredTool>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias)
        continue;
      for (const method of this.scanner.getAllMethodNames(
        Object.getPrototypeOf(instance) as object,
      )) {
        const options = this.discovery.getMetadataByDecorator(
          AgentTool,
          wrapper,
          method,
        );
        if (options)
          this.register(
            options,
            (instance[method] as (...a: unknown[]) => unknown).bind(instance),
          );
      }
    }
    if (this.tools.size > 0)
      this.logger.log({ msg: 'Agent tools', tools: [...this.tools.keys()] });
  }

  get(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  get names(): string[] {
    return [...this.tools.keys()];
  }

  /**
   * The setup's `tools` entry for a profile: the tools it names, or every tool but the opt-in ones
   * when it names none; each description with the tool's per-profile note (AgentToolOptions.forProfile).
   */
  declarations(profile: Pick<AgentProfile, 'tools'> = {}): unknown[] {
    const functionDeclarations = this.enabledFor(profile).map((tool) => {
      const note = tool.options.forProfile?.(profile as AgentProfile).note;
      if (!note) return tool.declaration;
      const description = `${tool.options.description} ${note}`;
      return { ...tool.declaration, description };
    });
    return functionDeclarations.length ? [{ functionDeclarations }] : [];
  }

  /** Why a profile cannot have the tools it declares (their forProfile problems); empty when it can. */
  profileProblems(profile: AgentProfile): string[] {
    return this.enabledFor(profile).flatMap((tool) => {
      const problem = tool.options.forProfile?.(profile).problem;
      return problem ? [`${tool.options.name}: ${problem}`] : [];
    });
  }

  private enabledFor(profile: Pick<AgentProfile, 'tools'>): RegisteredTool[] {
    const tools = profile.tools
      ? profile.tools.map((name) => this.tools.get(name))
      : [...this.tools.values()].filter((tool) => !tool.options.optIn);
    return tools.filter((tool) => tool !== undefined);
  }

  private register(
    options: AgentToolOptions,
    handler: RegisteredTool['handler'],
  ): void {
    if (!TOOL_NAME.test(options.name)) {
      throw new Error(
        `@AgentTool name "${options.name}" must be letters, digits or underscores (max 64)`,
      );
    }
    if (this.tools.has(options.name))
      throw new Error(`@AgentTool "${options.name}" is declared twice`);
    const validate = this.ajv.compile(options.parameters ?? { type: 'object' });
    // Decided once here: a schema `parameters` would refuse (close 1007 at setup, failing every
    // call) goes as `parametersJsonSchema` instead.
    const { declaration, route } = toolDeclaration(options);
    if (route?.field === 'parametersJsonSchema')
      this.logger.log({
        msg: 'Agent tool schema sent as parametersJsonSchema',
        tool: options.name,
        keywords: route.reasons,
      });
    this.tools.set(options.name, { options, declaration, validate, handler });
  }
}
