import { Test } from '@nestjs/testing';
import {
  AudioBridgeModule,
  AudioBridgeService,
  MulawCodecService,
} from './index';

describe('AudioBridgeModule', () => {
  it('provides the codec and pipeline services to importers', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AudioBridgeModule],
    }).compile();
    const bridge = moduleRef.get(AudioBridgeService);
    const codec = moduleRef.get(MulawCodecService);
    const call = bridge.createCallPipelines();
    expect(call.caller.outputRate).toBe(16000);
    expect(call.agent.inputRate).toBe(24000);
    expect(
      Array.from(codec.decode(codec.encode(new Int16Array([0, 32124])))),
    ).toEqual([0, 32124]);
    expect(bridge.rateOf('audio/pcm;rate=16000')).toBe(16000);
    call.caller.dispose();
    call.agent.dispose();
  });
});
