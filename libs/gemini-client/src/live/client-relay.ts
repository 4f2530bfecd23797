import type { ConnectionLink } from './connection-link';
import { ReplayBuffer, ReplayBufferLimits, ReplayEntry } from './replay-buffer';
import { ToolAnswer, ToolCallRoutes } from './tool-call-routes';

/**
 * Where the client messages of one logical session go. Each is numbered and kept (ReplayBuffer)
 * until a resumption handle covers it; it is written to the connection taking input now, if any;
 * a connection that serves after a switch gets exactly what its state lacks, in order. Tool answers
 * go to the connection that issued the call (ToolCallRoutes), or nowhere when it is gone.
 */
export class ClientRelay {
  /** Tool answers not sent because the connection that issued the call was gone. */
  orphanedToolResponses = 0;
  private readonly buffer: ReplayBuffer<ConnectionLink>;
  private readonly routes = new ToolCallRoutes<ConnectionLink>();

  constructor(limits: ReplayBufferLimits) {
    this.buffer = new ReplayBuffer(limits);
  }

  /** Audio dropped because the replay buffer was full. */
  get droppedAudio(): number {
    return this.buffer.droppedAudio;
  }

  /** Numbers and keeps one message; writes it to `to` when a connection takes input now. */
  submit(frame: string, audio: boolean, to?: ConnectionLink): void {
    const entry = this.buffer.append(frame, audio);
    if (to) this.write(to, entry);
  }

  /**
   * Tool answers: each to the connection that issued its call if that one still serves (`current`);
   * answers to calls we never saw go where input goes (`input`); answers to calls of a connection
   * that is gone are dropped and counted.
   */
  answer(
    answers: readonly ToolAnswer[],
    current: ConnectionLink | undefined,
    input: ConnectionLink | undefined,
  ): void {
    const { byOwner, orphaned } = this.routes.route(answers);
    this.orphanedToolResponses += orphaned.length;
    for (const [owner, group] of byOwner) {
      owner?.activity.settled(group.map((answer) => answer.id));
      const frame = JSON.stringify({
        toolResponse: { functionResponses: group },
      });
      if (!owner) this.submit(frame, false, input);
      else if (owner === current)
        this.write(owner, this.buffer.append(frame, false, owner));
      else this.orphanedToolResponses += group.length;
    }
  }

  /** Tool calls `link` issued. */
  issued(link: ConnectionLink, ids: readonly string[]): void {
    this.routes.issued(link, ids);
  }

  /** Tool calls the server cancelled. */
  cancelled(ids: readonly string[]): void {
    this.routes.settled(ids);
  }

  /** `link` is gone: its open calls are lost (a late answer is dropped); returns their ids. */
  lose(link: ConnectionLink): string[] {
    return this.routes.lose(link);
  }

  /** Writes to `link`, in order, what its state lacks: its replay, or input held while it paused. */
  sendMissed(link: ConnectionLink): number {
    const missed = this.buffer.unsentTo(link, link.baseSeq);
    for (const entry of missed) this.write(link, entry);
    return missed.length;
  }

  /** Forgets messages through `seq`: the handle we would resume from includes them. */
  release(seq: number): void {
    this.buffer.release(seq);
  }

  clear(): void {
    this.buffer.clear();
    this.routes.clear();
  }

  private write(
    link: ConnectionLink,
    entry: ReplayEntry<ConnectionLink>,
  ): void {
    if (link.conn.sendFrame(entry.frame, entry.audio, entry.seq))
      entry.sentTo = link;
  }
}
