import { sampleGridImage } from '@shardgrad/models';
import { registerPreview } from './previews.ts';

/**
 * The GAN's live picture (issue #7): the generator's samples from the same fixed noise at every
 * refresh, so the class watches the same 64 points turn from grey blobs into digits. One forward
 * pass of 64 noise vectors: cheap enough between rounds.
 */
registerPreview('gan', ({ state }, step) => {
  const img = sampleGridImage(state.model, 8, 1);
  return {
    kind: 'samples',
    title: 'Generator samples (the same noise each time)',
    step,
    width: img.width,
    height: img.height,
    rgba: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength),
  };
});
