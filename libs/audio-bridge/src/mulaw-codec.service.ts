import { Injectable } from '@nestjs/common';
import { mulawDecode, mulawEncode } from './codec/mulaw.codec';

/** Injectable G.711 μ-law codec over the pure table functions. */
@Injectable()
export class MulawCodecService {
  /** μ-law codes → new PCM16 array. */
  decode(codes: Uint8Array): Int16Array {
    const pcm = new Int16Array(codes.length);
    mulawDecode(codes, pcm);
    return pcm;
  }

  /** PCM16 → new μ-law code array. */
  encode(pcm: Int16Array): Uint8Array {
    const codes = new Uint8Array(pcm.length);
    mulawEncode(pcm, codes);
    return codes;
  }
}
