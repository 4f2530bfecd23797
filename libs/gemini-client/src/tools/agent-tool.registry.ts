import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import Ajv, { ValidateFunction } from 'ajv';
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

  /** The setup's `tools` entry for the named tools (all when `enabled` is undefined). */
  declarations(enabled?: readonly string[]): unknown[] {
    const names = enabled ?? this.names;
    const functionDeclarations = names
      .map((name) => this.tools.get(name)?.declaration)
      .filter((declaration) => declaration !== undefined);
    return functionDeclarations.length ? [{ functionDeclarations }] : [];
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
