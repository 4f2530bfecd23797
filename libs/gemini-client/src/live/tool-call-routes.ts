/** Call ids of lost connections remembered, so a late answer is recognised and dropped. */
const MAX_LOST = 256;

/**
 * How the model takes a NON_BLOCKING tool's answer (js-genai 2.32 `FunctionResponseScheduling`):
 * `SILENT` adds it to the context only, `WHEN_IDLE` (the server's default) makes the model speak once
 * it is idle, `INTERRUPT` stops what the model is saying and makes it speak now. Ignored for BLOCKING
 * tools.
 */
export type ToolResponseScheduling = 'SILENT' | 'WHEN_IDLE' | 'INTERRUPT';

/** A tool answer in the shape `toolResponse.functionResponses[]` takes. */
export interface ToolAnswer {
  id: string;
  name: string;
  response: unknown;
  scheduling?: ToolResponseScheduling;
}

/**
 * Which connection issued each open tool call. A tool call belongs to the connection that issued it
 * (PROTOCOLS.md, field reports): its answer must go there, and nowhere else; the server ignores an
 * answer to a call it did not make. When that connection is gone, its calls are lost and a late
 * answer is dropped (the resumed session never saw the call).
 */
export class ToolCallRoutes<L> {
  private readonly owners = new Map<string, L>();
  private readonly lost = new Set<string>();

  /** Calls `owner` issued. */
  issued(owner: L, ids: readonly string[]): void {
    for (const id of ids) this.owners.set(id, owner);
  }

  /** Calls that need no answer any more (cancelled by the server). */
  settled(ids: readonly string[]): void {
    for (const id of ids) this.owners.delete(id);
  }

  /**
   * Splits answers by the connection that issued each call (`undefined`: a call we never saw, which
   * goes wherever input goes), and the answers to calls of a lost connection.
   */
  route(answers: readonly ToolAnswer[]): {
    byOwner: Map<L | undefined, ToolAnswer[]>;
    orphaned: ToolAnswer[];
  } {
    const byOwner = new Map<L | undefined, ToolAnswer[]>();
    const orphaned: ToolAnswer[] = [];
    for (const answer of answers) {
      if (this.lost.delete(answer.id)) {
        orphaned.push(answer);
        continue;
      }
      const owner = this.owners.get(answer.id);
      this.owners.delete(answer.id);
      byOwner.set(owner, [...(byOwner.get(owner) ?? []), answer]);
    }
    return { byOwner, orphaned };
  }

  /** `owner` is gone: its open calls are lost; returns their ids. */
  lose(owner: L): string[] {
    const ids: string[] = [];
    for (const [id, issuer] of this.owners) {
      if (issuer !== owner) continue;
      this.owners.delete(id);
      this.lost.add(id);
      ids.push(id);
    }
    for (const id of this.lost) {
      if (this.lost.size <= MAX_LOST) break;
      this.lost.delete(id);
    }
    return ids;
  }

  clear(): void {
    this.owners.clear();
    this.lost.clear();
  }
}
